"""The engine: a NumPy network whose backprop is exactly right for every output layer a learner tries.

Pure NumPy, no web imports. Examples are rows; W[l] has shape (n_out, n_in).
"""

from app.nn.activations import HIDDEN_ACTIVATIONS
from app.nn.diagnostics import Diagnosis, diagnose
from app.nn.gradcheck import LayerCheck, gradient_check
from app.nn.init import INITS
from app.nn.mistakes import MISTAKES, Mistake, Numbers, exact_numbers, mistake_applies, mistaken_numbers
from app.nn.model_doc import ModelError, SizeLimits, check_model, from_document, parameter_count, to_document
from app.nn.network import BackwardPass, ForwardPass, Network
from app.nn.optimizers import OPTIMIZERS, make_optimizer
from app.nn.output_layer import ALLOWED_LOSSES, LOSSES, OUTPUT_ACTIVATIONS, RUN_KINDS, OutputLayer
from app.nn.regularization import MAX_REGULARIZATION_RATE, REGULARIZATIONS, Regularization, make_regularization
from app.nn.run_kinds import RunKind, run_kind
from app.nn.training import Trainer, divergence_reason

__all__ = [
    "ALLOWED_LOSSES", "HIDDEN_ACTIVATIONS", "INITS", "LOSSES", "OPTIMIZERS", "OUTPUT_ACTIVATIONS", "RUN_KINDS",
    "BackwardPass", "Diagnosis", "ForwardPass", "LayerCheck", "ModelError", "Network", "OutputLayer", "SizeLimits",
    "Trainer", "check_model", "diagnose", "divergence_reason", "from_document", "gradient_check", "make_optimizer",
    "parameter_count", "to_document",
    "MISTAKES", "Mistake", "Numbers", "exact_numbers", "mistake_applies", "mistaken_numbers", "RunKind", "run_kind",
    "MAX_REGULARIZATION_RATE", "REGULARIZATIONS", "Regularization", "make_regularization",
]
