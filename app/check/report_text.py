"""The check's result (code_check.py's dict) in plain words for a terminal: short, and about the learner's code."""

from __future__ import annotations

import textwrap

from app.check.yours import GRAD_W_TRANSPOSED

PAIRING_NAMES = {
    "sigmoid_mse": "sigmoid + quadratic cost (MSE)",
    "sigmoid_bce": "sigmoid + binary cross-entropy",
    "softmax_ce": "softmax + cross-entropy",
    "softmax_mse": "softmax + quadratic cost (MSE)",
}
REASONS = {
    "given": "as you said with --output",
    "right_numbers": "your numbers match it exactly",
    "named_mistake": "a known mistake under it gives your numbers; say which you meant with --output",
    "latest_first_mismatch": "the closest to your numbers; say which you meant with --output",
}
INTERFACE = ("The check calls a Nielsen-style class, Network(sizes) with attributes weights (a list of "
             "(n_out, n_in) arrays) and biases (a list of (n_out, 1) arrays) and a method backprop(x, y) that "
             "returns (nabla_b, nabla_w) for one example x, y given as column vectors; or a function "
             "backprop(weights, biases, x, y) that returns the same.")
SHOWN_PRINTED_LINES = 5


def _paragraph(text: str) -> str:
    return textwrap.fill(text, width=100, break_on_hyphens=False, break_long_words=False)


def _paragraph_indented(text: str, indent: str) -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False, break_long_words=False)


def _where(problem: dict) -> str:
    where = problem.get("where")
    if not where:
        return ""
    code = f": {where['code']}" if where.get("code") else ""
    return f" ({where['file']}, line {where['line']}{code})"


def problem_text(problem: dict, file: str) -> str:
    """One paragraph a beginner can act on, for each way their code could not be checked."""
    kind = problem["problem"]
    case = f" on the case {problem['case']}" if problem.get("case") else ""
    if kind == "file_missing":
        text = f"There is no file {file}. Give the path of the .py file that holds your network."
    elif kind == "syntax_error":
        text = (f"Python cannot read your file: {problem['error']}{_where(problem)}. Fix that line (running "
                f"`python {file}` shows the same error), then check again.")
    elif kind == "import_error":
        text = (f"Importing your file failed: {problem['error']}{_where(problem)}. Install what it imports in "
                f"the Python that runs backprop-lab, or keep your own helper modules in the same folder as "
                f"{file}.")
    elif kind == "not_found":
        if problem.get("candidates"):
            text = (f"Your file has several classes with a backprop method ({', '.join(problem['candidates'])}): "
                    f"say which to check with --class NAME.")
        elif problem.get("name"):
            text = f"Your file has no {problem['wanted']} named {problem['name']}. {INTERFACE}"
        else:
            text = (f"Your file has no class with a backprop method and no function named backprop. {INTERFACE} "
                    f"Name yours with --class NAME or --function NAME.")
    elif kind == "wrong_interface":
        text = (f"{problem['name']}(sizes) made an object without {', '.join(problem['missing'])}. {INTERFACE}")
    elif kind == "raised" and problem["during"].startswith("update_mini_batch"):
        text = (f"Your code raised an error in {problem['during']}{case}: {problem['error']}{_where(problem)}. "
                f"The check gives it known weights, the case's examples as one mini-batch (a list of (x, y) "
                f"tuples of column vectors (n, 1)) and eta, as Nielsen's SGD does; run that line by hand with "
                f"arrays of those shapes to see why.")
    elif kind == "raised":
        text = (f"Your code raised an error in {problem['during']}{case}: {problem['error']}{_where(problem)}. "
                f"The check gives it known weights and one example at a time as column vectors (n, 1); run that "
                f"line by hand with arrays of those shapes to see why.")
    elif kind == "unchanged":
        text = (f"Your update_mini_batch(mini_batch, eta){case} left every weight and bias as it was. The check "
                f"reads the step from self.weights and self.biases afterwards, as Nielsen's does: set them "
                f"(self.weights = [...]) rather than returning new lists.")
    elif kind == "timeout":
        seconds = problem["seconds"]
        text = (f"Your code did not finish within {seconds:g} second{'' if seconds == 1 else 's'}, so it was "
                f"stopped. If your "
                f"file trains a network when it is imported, put that under `if __name__ == \"__main__\":`; "
                f"else look for a loop that never ends, or allow more time with --timeout SECONDS.")
    elif kind == "exited":
        text = (f"Your code ended the process (exit status {problem['exit_code']}) before it returned its "
                f"numbers: remove the exit() or sys.exit() that importing your file or calling backprop reaches.")
    elif kind == "wrong_shapes":
        text = f"Your code returned something the check cannot read: {problem['what']} "
        if "count" in problem:
            text += (f"has {problem['count']} arrays; expected {problem['expected_count']}, one per weight layer "
                     f"(input side first).")
        elif "shape" in problem and "update_mini_batch" in problem["what"]:
            text += (f"has shape {tuple(problem['shape'])}; expected {tuple(problem['expected'])}. A step must "
                     f"keep each array's shape: a bias of shape (n_out, N) got every example's δ without their "
                     f"sum.")
        elif "shape" in problem:
            text += (f"has shape {tuple(problem['shape'])}; expected {tuple(problem['expected'])}. nabla_b[l] "
                     f"is shaped like biases[l] (n_out, 1) and nabla_w[l] like weights[l] (n_out, n_in).")
        else:
            text += (f"is a {problem['got']}; expected (nabla_b, nabla_w), two lists with one array per weight "
                     f"layer.")
    elif kind == "not_real":
        text = (f"Your code returned {problem['dtype']} numbers in {problem['what']}. Gradients are real numbers: "
                f"look for a complex number (1j, np.sqrt of a negative with a complex dtype) or text where an array "
                f"of floats belongs.")
    elif kind == "not_finite":
        text = (f"Your code returned NaN or infinity in {problem['what']}. With the check's small "
                f"weights every right number is finite: look for a division by zero, a log of 0, or an exp "
                f"that overflows.")
    else:
        text = f"Your code could not be checked ({kind})."
    return _paragraph(text)


def _layer_name(quantity: str, layer: int | None) -> str:
    return {
        "delta": f"δ (nabla_b[{layer}] of each example)",
        "grad_W": f"∂C/∂W (nabla_w[{layer}], averaged over the examples)",
        "grad_b": f"∂C/∂b (nabla_b[{layer}], averaged over the examples)",
        "outputs": "the outputs (feedforward)",
    }.get(quantity, f"{quantity} of layer {layer}")


def _form(mistake: dict) -> str:
    return f", {mistake['form_text']}" if mistake.get("form_text") else ""


def _mismatch_text(m: dict) -> str:
    call = " on the second call with the same example" if m["call"] == 2 else ""
    return (f"{m['equation']}, {_layer_name(m['quantity'], m['layer'])}{call}: off by up to "
            f"{m['max_abs_difference']:.3g} (yours {m['yours']:.6g}, expected {m['expected']:.6g})")


def _update_text(update: dict) -> str:
    """One case's update_mini_batch line."""
    status = update["status"]
    if status == "match":
        return "update_mini_batch: ✓"
    if status == "not_judged":
        return ("update_mini_batch: not judged on its own here, since backprop is already wrong on this case and "
                "this check is only about how the gradients are combined and applied")
    if status == "problem":
        return f"update_mini_batch: ✗ could not run it ({update['problem']['problem']}, below)"
    if status == "skipped":
        return (f"update_mini_batch: not checked: it also needs {', '.join(update['parameters'])}, which the check "
                f"cannot fill in")
    m = update["first_mismatch"]
    array = "weights" if m["quantity"] == "grad_W" else "biases"
    named = f" [{', '.join(update['mistakes'])}]" if update["mistakes"] else ""
    return (f"update_mini_batch: ✗ {m['equation']}, the step of {array}[{m['layer']}] divided by eta: off by up to "
            f"{m['max_abs_difference']:.3g} (yours {m['yours']:.6g}, expected {m['expected']:.6g}){named}")


def render(result: dict, verbose: bool = False) -> str:
    file = result["file"]
    code = result.get("code")
    lines = [f"backprop-lab check {file}" + (f": {code['kind']} {code['name']}" if code else "")]
    if "cases" in result:
        output = result["output"]
        lines.append(f"Output layer: {PAIRING_NAMES[output['pairing']]} ({REASONS[output['reason']]}).")
        for case in result["cases"]:
            shape = "-".join(map(str, case["layer_sizes"]))
            if case["status"] == "match":
                lines.append(f"  ✓ {case['name']} ({shape})")
            elif case["status"] == "mismatch":
                lines.append(f"  ✗ {case['name']} ({shape}): {_mismatch_text(case['first_mismatch'])}")
            else:
                lines.append(f"  ✗ {case['name']} ({shape}): your code could not run it "
                             f"({case['problem']['problem']}, below)")
            if case.get("update"):
                lines.append(_paragraph_indented(_update_text(case["update"]), "      "))
        first = result.get("first_mismatch")
        if all(c["status"] == "match" for c in result["cases"]):
            lines.append("Your backprop is right: every δ and gradient matches the engine's.")
        if (result.get("update") or {}).get("lmbda") == 0:
            lines.append("update_mini_batch(mini_batch, eta, lmbda, n) was called with lmbda=0 (no regularisation) "
                         "and n = the mini-batch's size.")
        if result.get("update") and all((c["update"] or {}).get("status") == "match" for c in result["cases"]):
            lines.append(f"Your update_mini_batch applies them rightly: w − eta · (the mean gradient over the "
                         f"mini-batch), with eta = {result['update']['eta']:g}.")
        if first:
            where = " in update_mini_batch" if first.get("check") == "update_mini_batch" else ""
            lines.append(f"First wrong equation{where}: {first['equation']} on {first['case']}.")
        for m in result.get("mistakes", []):
            lines.append(f"Mistake: {m['title']} ({m['id']}){_form(m)}.")
            lines.append(textwrap.indent(_paragraph(m["sentence"]), "  "))
            lines.append(textwrap.indent(_paragraph(f"Fix: {m['fix']}"), "  "))
        for m in result.get("first_mismatch_mistakes", []):
            lines.append(f"Your first wrong equation gives the numbers of: {m['title']} ({m['id']}){_form(m)}.")
            lines.append(textwrap.indent(_paragraph(m["sentence"]), "  "))
            lines.append(textwrap.indent(_paragraph(f"Fix: {m['fix']}"), "  "))
        if result.get("first_mismatch_mistakes"):
            lines.append(_paragraph("Later numbers differ from that mistake's too: you may have made it in one "
                                    "place only, or there is a second mistake. Fix the first, then check again."))
        elif result.get("unknown_mistake"):
            lines.append(_paragraph("No mistake the lab knows gives these numbers: compare that equation, line by "
                                    "line, with the four equations of backpropagation."))
        for other in output["also"]:
            meant = f"If you meant {PAIRING_NAMES[other['pairing']]}"
            if other["mistakes"]:
                lines.append(_paragraph(f"{meant}, the same numbers come from {', '.join(other['mistakes'])} "
                                        f"(check with --output {other['pairing']})."))
            else:
                lines.append(_paragraph(f"{meant}, your numbers are right for it too."))
        if GRAD_W_TRANSPOSED in result.get("layout_notes", []):
            lines.append(_paragraph("Your nabla_w is (n_in, n_out), the transpose of weights[l]: read that way, "
                                    "which is a layout and not a mistake, but `w - eta * nw` needs (n_out, n_in)."))
    if result["status"] == "problem":
        lines.append(problem_text(result["problem"], file))
    else:  # the mismatch above is the finding; cases their code could not run are listed briefly
        for case in result.get("cases", []):
            for during, problem in (("", case.get("problem")),
                                    (" in update_mini_batch", (case.get("update") or {}).get("problem"))):
                if problem:
                    error = problem.get("error") or problem.get("what") or problem["problem"]
                    lines.append(_paragraph(f"On {case['name']} your code stopped{during}: "
                                            f"{error}{_where(problem)}."))
    printed = result.get("printed_lines", 0)
    if printed:
        lines.append(f"Your code printed {printed} line{'s' if printed != 1 else ''}"
                     + (":" if verbose else " (--verbose shows the first ones)."))
        if verbose:
            lines += [f"  | {line}" for line in result.get("printed", [])[:SHOWN_PRINTED_LINES]]
    for warning in result.get("warnings", []):
        lines.append(f"Python warned while your code ran: {warning}")
    return "\n".join(lines)
