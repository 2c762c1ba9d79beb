"""The seven lessons of the dashboard, in order. Every claim here is checked by tests/test_lessons.py.

Run ids are the dashboard's (static/js/run-kinds.js, RUN_IDS), so a preset run here is the very experiment
the page configures. Runs are listed in the dashboard's menu order, which is the order the page sends them.
"""

from __future__ import annotations

from typing import Any

from app.export.script.parts import SOFTMAX_ANSWER
from app.lessons.model import Claim, Lesson, TryThis
from app.sessions.config import ExperimentConfig

RUN_IDS = {
    "sigmoid_mse": "sigmoid-mse",
    "sigmoid_bce": "sigmoid-bce",
    "softmax_ce": "softmax-ce",
    "softmax_mse": "softmax-mse",
    "softmax_mse_elementwise": "mistake",
    "sigmoid_mse_examples_mixed": "sig-mse-mixed",
}
EVERY_RIGHT_KIND = ("sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse")


def preset(dataset: str, *kinds: str, params: dict[str, Any] | None = None, hidden: list[int] | None = None,
           seed: int = 0, learning_rate: float = 0.5) -> ExperimentConfig:
    """Sigmoid hidden layers, N(0, 1) starting weights and plain gradient descent on every example at once."""
    return ExperimentConfig.model_validate({
        "dataset": {"name": dataset, "params": params or {}, "seed": 0},
        "network": {"hidden_layers": [8] if hidden is None else hidden, "hidden_activation": "sigmoid",
                    "init": "normal", "seed": seed},
        "runs": [{"id": RUN_IDS[kind], "kind": kind} for kind in kinds],
        "optimizer": {"name": "sgd", "learning_rate": learning_rate},
    })


# Weight seed 7: with these starting weights the outputs of both examples sit near [0.5, 0.5] for a while.
# (With seed 0 they only pass through; the plateau depends on where the weights start.)
YOUR_NETWORK_SEED = 7
THREE_BLOBS = {"classes": 3, "n": 30, "noise": 0.2}  # 30 points: every one fits in a frame's outputs

LESSONS: list[Lesson] = [
    Lesson(
        number=1,
        title="Your network",
        text=[
            "Two inputs, 8 hidden neurons, two outputs; every neuron computes σ(w₁x₁ + w₂x₂ + … + wₙxₙ + b), "
            "and the cost is the quadratic one, C = ½ Σ (a − y)². Input [1, 0] should come out as [1, 0] "
            "(class A), input [0, 1] as [0, 1] (class B). The starting weights are random draws from N(0, 1).",
            "Gradient descent moves each weight against ∂C/∂w: how much the cost changes when that weight moves "
            "a little. For the output layer, each example gives its own ∂c/∂w, and the step uses their average.",
        ],
        equations=[
            r"a^L_j = \sigma\big(w_{j1} a^{L-1}_1 + \dots + w_{j8} a^{L-1}_8 + b_j\big)",
            r"\frac{\partial c}{\partial w_{jk}} = \delta_j \, a^{L-1}_k",
        ],
        claims=[
            Claim(id="plateau", text="At first, both examples' outputs drift to about [0.5, 0.5] and stay there "
                                     "for a while (here from about step 15 to step 70): the network answers the "
                                     "average label for both."),
            Claim(id="leaves_the_plateau", text="Then they leave it: by about step 350 every output is within 0.1 "
                                                "of its label."),
            Claim(id="gradients_point_opposite_ways", text="The two examples' output-layer gradients point "
                                                           "opposite ways: A pulls output 1 up and output 2 down, "
                                                           "B the reverse."),
            Claim(id="hidden_activations_differ", text="The hidden activations of [1, 0] and [0, 1] differ."),
            Claim(id="gradients_do_not_cancel", text="So the two gradients do not cancel: each row is δⱼ times "
                                                     "that example's own hidden activations, and their average, "
                                                     "the step taken, is not zero."),
        ],
        preset=preset("two-points", "sigmoid_mse", seed=YOUR_NETWORK_SEED),
        speed=20,
        numbers="per-example-gradients",
        try_this=TryThis(label="Play, 20 steps a second", command="play"),
        derivation="four-equations",
    ),
    Lesson(
        number=2,
        title="The bug that gives [0.5, 0.5]",
        text=[
            "Your guess: the two examples pull opposite ways, so their gradients cancel in the average and the "
            "network stops at [0.5, 0.5]. Lesson 1 showed that the right gradients do not cancel: each example's δ "
            "multiplies its own hidden activations, and those differ.",
            "They do cancel if the code averages first: the mean δ times the mean activation, instead of the mean "
            "of each example's δ times its own activation. The mean δ is about zero once the outputs, averaged "
            "over the two examples, sit at the average label [0.5, 0.5]: then the whole step is about zero, "
            "however wrong each example still is.",
            "Both runs are your network from lesson 1, from the same starting weights; only BP4 differs.",
        ],
        equations=[
            r"\underbrace{\frac{\partial C}{\partial w_{jk}} = \tfrac12\big(\delta_j^A a_k^A + \delta_j^B a_k^B\big)}"
            r"_{\text{right: each example's own product, then the average}}",
            r"\underbrace{\frac{\partial C}{\partial w_{jk}} = \tfrac12\big(\delta_j^A + \delta_j^B\big) \cdot "
            r"\tfrac12\big(a_k^A + a_k^B\big)}_{\text{the bug: the averages, then the product}}",
        ],
        claims=[
            Claim(id="same_starting_weights", text="Both runs start from the very same weights, lesson 1's."),
            Claim(id="right_run_reaches_the_labels", text="Averaging each example's own gradient reaches the "
                                                          "labels: every output within 0.1 of its label by about "
                                                          "step 350."),
            Claim(id="bug_stays_at_half", text="Averaging first: from step 40 on, both examples' outputs stay "
                                               "within 0.03 of [0.5, 0.5]. The labels are never reached."),
            Claim(id="bugs_step_vanishes", text="Each example's own ∂c/∂w stays about as large as at the start, "
                                                "but the bug's step is under 1% of their size from step 50 on; "
                                                "the right step, their average, stays over 10% of it."),
            Claim(id="first_layer_cannot_tell_them_apart", text="In the first layer the bug multiplies by the "
                                                                "average input, [0.5, 0.5]: both columns of "
                                                                "weights get the same update, so the weighted "
                                                                "inputs z of [1, 0] and [0, 1] stay exactly as "
                                                                "far apart as at the start."),
            Claim(id="diagnosis_names_the_mistake", text="The diagnosis names the mistake, averaging too early, "
                                                         "not the inputs."),
        ],
        preset=preset("two-points", "sigmoid_mse", "sigmoid_mse_examples_mixed", seed=YOUR_NETWORK_SEED),
        speed=60,
        numbers="averaged-too-early",
        try_this=TryThis(label="Play both", command="play"),
        derivation="notation",
    ),
    Lesson(
        number=3,
        title="The softmax layer",
        text=[
            "Softmax turns the output layer's weighted sums z₁, z₂, z₃ into outputs that are positive and add "
            "up to 1, like probabilities: each aⱼ is e^zⱼ divided by the sum of e^z over the whole layer.",
            "That sum holds every z of the layer, so moving one z moves every output. Softmax cannot be "
            "applied to one number at a time, the way σ is.",
            "So its derivative is not one σ′(z) per neuron but a table, the Jacobian: row i, column j says how "
            "much aᵢ moves when zⱼ moves a little. Here three classes of points give a 3 × 3 table.",
        ],
        equations=[
            r"a^L_j = \frac{e^{z^L_j}}{e^{z^L_1} + e^{z^L_2} + e^{z^L_3}}",
            r"\frac{\partial a_i}{\partial z_j} = \begin{cases} a_i(1 - a_i) & i = j \\ -\,a_i a_j & i \neq j"
            r"\end{cases}",
        ],
        claims=[
            Claim(id="outputs_add_up_to_one", text="Each example's three softmax outputs add up to 1; the "
                                                   "sigmoid outputs need not."),
            Claim(id="jacobian_is_full", text="The softmax Jacobian is full: aᵢ(1 − aᵢ) on the diagonal and "
                                              "−aᵢaⱼ everywhere else. The sigmoid one has σ′(zⱼ) on its diagonal "
                                              "and zeros elsewhere."),
            Claim(id="jacobian_rows_add_up_to_zero", text="Each row of the softmax Jacobian adds up to 0: "
                                                          "raising one z takes from the other outputs exactly "
                                                          "what it gives its own."),
            Claim(id="each_example_has_its_own_jacobian", text="Every example has its own Jacobian: show the "
                                                               "next one, of another class, and its numbers "
                                                               "change by several hundredths."),
            Claim(id="code_gives_the_lab_numbers", text="The code below computes the very outputs, cost and "
                                                        "δᴸ = a − y of the softmax + CE run."),
        ],
        code=SOFTMAX_ANSWER,
        # Example 3 (class A) is followed by one of class B: examples 0 and 1, both class C, have about the same J.
        preset=preset("blobs", "sigmoid_mse", "softmax_ce", params=THREE_BLOBS).model_copy(update={"example": 3}),
        speed=20,
        numbers="jacobian",
        try_this=TryThis(label="Show the next example", command="next-example"),
        derivation="jacobian",
    ),
    Lesson(
        number=4,
        title="What replaces σ′(z)",
        text=[
            "Backprop starts with the output error δᴸ. With sigmoid and the quadratic cost it is (a − y) ⊙ σ′(zᴸ) "
            "(⊙: multiply entry by entry). σ′(z) is never more than ¼, and close to 0 where a neuron is sure of "
            "itself, so it shrinks every error.",
            "With softmax and the cross-entropy cost C = −Σ y ln a, the Jacobian and the cost's slope cancel "
            "out, and what is left is δᴸ = a − y: nothing shrinks the error. The other three backprop equations "
            "stay exactly as they were.",
            "Both runs are your network from lesson 1, from the same starting weights; only the output layer "
            "and the cost differ.",
        ],
        equations=[
            r"\underbrace{\delta^L = (a - y) \odot \sigma'(z^L)}_{\text{sigmoid + quadratic cost}}, \qquad"
            r" \sigma'(z) \le \tfrac14",
            r"\underbrace{\delta^L = a - y}_{\text{softmax + cross-entropy}}",
        ],
        claims=[
            Claim(id="same_starting_weights", text="Both runs start from the very same weights."),
            Claim(id="softmax_reaches_the_labels_first", text="Softmax + cross-entropy reaches the labels first: "
                                                              "every output within 0.1 of its label before step "
                                                              "60, while sigmoid + quadratic cost needs about 350 "
                                                              "steps."),
            Claim(id="sigmoid_shrinks_the_error", text="For sigmoid + quadratic cost, every entry of δᴸ is at "
                                                       "most ¼ of a − y; for softmax + cross-entropy, δᴸ is "
                                                       "exactly a − y."),
            Claim(id="other_three_equations_unchanged", text="The other three equations (δ of the hidden layer, "
                                                             "∂C/∂b, ∂C/∂w) are the same for both runs."),
        ],
        preset=preset("two-points", "sigmoid_mse", "softmax_ce", seed=YOUR_NETWORK_SEED),
        speed=60,
        numbers="deltas",
        try_this=TryThis(label="Play both", command="play"),
        derivation="cross-entropy",
    ),
    Lesson(
        number=5,
        title="The tempting mistake",
        text=[
            "It is tempting to treat softmax like σ and use aⱼ(1 − aⱼ), the diagonal of its Jacobian, as if it "
            "were σ′(zⱼ). That drops the −aᵢaⱼ entries that tie the outputs together.",
            "Both runs use softmax and the quadratic cost, from the same weights: one with the whole Jacobian, "
            "the other with its diagonal only. The gradient check measures the slope directly: it nudges each "
            "weight up and down a tiny bit and sees how the cost changes.",
            "Three classes on purpose: with two outputs the mistake comes out exactly half the right δᴸ, so it "
            "only slows training down.",
        ],
        equations=[
            r"\underbrace{\delta^L = J^{\top}(a - y)}_{\text{right}}, \qquad J = \operatorname{diag}(a) - a\,a^{\top}",
            r"\underbrace{\delta^L = (a - y) \odot a \odot (1 - a)}_{\text{wrong: the diagonal of } J \text{ only}}",
        ],
        claims=[
            Claim(id="gradient_check_finds_the_mistake", text="The gradient check finds a large error in the "
                                                              "mistake (about a third of the gradient) and "
                                                              "agrees with the whole Jacobian to better than one "
                                                              "part in a million."),
            Claim(id="mistake_points_elsewhere", text="For some examples the mistake's δᴸ points in a clearly "
                                                      "different direction from the right one."),
            Claim(id="mistake_loss_stays_above", text="Both runs have the same cost, so their losses compare "
                                                      "directly: the mistake's stays above at every step, about "
                                                      "twice the right one from step 50 on (the loss chart is on "
                                                      "a log scale, where that is one fixed gap)."),
            Claim(id="mistake_reaches_the_labels_later", text="The mistake reaches the labels much later: at "
                                                              "least one and a half times as many steps."),
            Claim(id="two_classes_half", text="With two classes the mistake is exactly half the right δᴸ."),
        ],
        preset=preset("blobs", "softmax_mse", "softmax_mse_elementwise", params=THREE_BLOBS, learning_rate=1.0),
        speed=200,
        loss_scale="log",
        numbers="gradcheck",
        try_this=TryThis(label="Run the gradient check", command="gradcheck"),
        derivation="quadratic-cost",
    ),
    Lesson(
        number=6,
        title="When softmax does not help",
        text=[
            "Two 4 × 4 pictures, white (255) everywhere but for one black pixel (0). Fed in as they are, the "
            "first layer's sums w₁x₁ + … + w₁₆x₁₆ + b run into the hundreds, so every hidden σ sits at 0 or 1, "
            "where σ′(z) is almost 0: the layer is saturated.",
            "Then both pictures get the same hidden numbers, and no output layer can tell them apart: the best "
            "any can answer is the average label, [0.5, 0.5]. Softmax changes the output layer's slope, not the "
            "hidden layer's.",
        ],
        equations=[
            r"z^1_j = w_{j1}x_1 + \dots + w_{j16}x_{16} + b_j",
            r"x \approx 255 \;\Rightarrow\; |z^1_j| \gg 1 \;\Rightarrow\; \sigma'(z^1_j) \approx 0",
            r"\delta^1 = \big((w^2)^{\top}\delta^2\big) \odot \sigma'(z^1) \approx 0",
        ],
        claims=[
            Claim(id="every_output_layer_is_stuck", text="Press Play: every run, softmax included, stays at "
                                                         "[0.5, 0.5] for both pictures."),
            Claim(id="diagnosis_names_the_cause", text="The diagnosis names the cause: both pictures get the "
                                                       "same hidden numbers, and the first layer is saturated."),
            Claim(id="scaled_inputs_learn", text="Scale the inputs by 1/255 and the same network, from the same "
                                                 "weights, learns: every run reaches its labels."),
        ],
        preset=preset("raw-pixels", *EVERY_RIGHT_KIND, params={"scaled": False}, seed=2),
        speed=200,
        numbers="diagnosis",
        try_this=TryThis(label="Scale the inputs by 1/255", change={"dataset": {"params": {"scaled": True}}},
                         command="play"),
        derivation="saturation",
    ),
    Lesson(
        number=7,
        title="Why XOR needs a hidden layer",
        text=[
            "XOR: the points [0, 0] and [1, 1] are one class, [0, 1] and [1, 0] the other.",
            "With no hidden layer each output is σ(w₁x₁ + w₂x₂ + b), or its softmax cousin: it can only split "
            "the plane along a straight line, where w₁x₁ + w₂x₂ + b = 0, and no straight line puts both "
            "corners of one class on one side.",
            "A hidden layer gives the output layer new inputs, its activations, in which the classes can be "
            "split by a line.",
        ],
        equations=[
            r"a = \sigma(w_1 x_1 + w_2 x_2 + b)",
            r"\text{class changes where } w_1 x_1 + w_2 x_2 + b = 0\text{: a line}",
        ],
        claims=[
            Claim(id="every_output_layer_is_stuck", text="Press Play: every run gets stuck at [0.5, 0.5] on all "
                                                         "four points."),
            Claim(id="diagnosis_names_the_cause", text="The diagnosis says why: the classes are not on two sides "
                                                       "of any line."),
            Claim(id="hidden_layer_learns", text="Add a hidden layer of 8 and every run reaches its labels: "
                                                 "softmax + cross-entropy within about 350 steps, sigmoid + "
                                                 "quadratic cost in about 2,500."),
        ],
        preset=preset("xor", *EVERY_RIGHT_KIND, hidden=[]),
        speed=1000,
        numbers="stuck-outputs",
        try_this=TryThis(label="Add a hidden layer of 8", change={"network": {"hidden_layers": [8]}},
                         command="play"),
        derivation="hidden-layer",
    ),
]


def lesson(number: int) -> Lesson:
    """The lesson with this number; KeyError if there is none."""
    for item in LESSONS:
        if item.number == number:
            return item
    raise KeyError(number)
