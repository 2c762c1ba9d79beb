"""`backprop-lab check PATH.py`: the learner's own backprop on the lab's cases, compared and diagnosed.

Their code runs in a child process (learner_code.py); here its numbers meet the engine's, case by case, under
each output layer + loss (or the one they name). When their class has Nielsen's update_mini_batch, the step it
takes on each case (as one mini-batch) is checked too, under the output layer chosen for their backprop: that is
where examples_mixed, sum_not_mean and stale_output_weights happen, which a per-example backprop cannot show.
The result is one JSON-ready dict that both the terminal text (report_text.py) and --json print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.check.cases import CASES, Case
from app.check.learner_code import UPDATE_ETA, CaseNumbers, LearnerProblem, UpdateNumbers, run_learner_code
from app.check.pairings import PAIRINGS, PairingSearch, check_pairings
from app.check.yours import square_reading, transposed_by_shape
from app.nn.mistakes import MISTAKES

EXIT_MATCH, EXIT_MISMATCH, EXIT_PROBLEM = 0, 1, 2
EXIT_CODES = {"match": EXIT_MATCH, "mismatch": EXIT_MISMATCH, "problem": EXIT_PROBLEM}


def _mistake(mistake_id: str, forms: dict[str, dict] | None = None) -> dict:
    """A mistake of the catalogue as JSON, with the form it was made in (`forms`: id → {"form", "form_text"})."""
    m = MISTAKES[mistake_id]
    return {"id": m.id, "title": m.title, "sentence": m.sentence, "fix": m.fix, "equation": m.equation,
            **(forms or {}).get(mistake_id, {"form": None, "form_text": None})}


def _forms(named) -> dict[str, dict]:
    return {m.id: {"form": m.form.id, "form_text": m.form.text} for m in named if m.form}


def _common_mistakes(searches: list[PairingSearch], pairing: str) -> list[str] | None:
    """The mistakes that explain every case under `pairing` (cases that match need none); None if some case
    mismatches with no catalogued explanation, or the cases share none."""
    explained: list[str] | None = None
    for search in searches:
        if pairing in search.matching:
            continue
        ids = search.named.get(pairing)
        if not ids:
            return None
        explained = ids if explained is None else [m for m in explained if m in ids]
    return explained or None


def choose_pairing(searches: list[PairingSearch], pairings: tuple[str, ...]) -> tuple[str, str, dict[str, list]]:
    """(pairing, reason, other pairings that explain the numbers too: pairing → mistake ids, [] when right)."""
    right = [p for p in pairings if all(p in s.matching for s in searches)]
    explained = {p: ids for p in pairings if p not in right and (ids := _common_mistakes(searches, p))}
    others = {**{p: [] for p in right}, **explained}
    if right:
        chosen, reason = right[0], "right_numbers"
    elif explained:
        chosen, reason = next(iter(explained)), "named_mistake"
    else:  # the pairing that matches most cases, then agrees longest in the order the numbers are computed
        def agreement(p: str) -> tuple[int, int]:
            reports = [s.reports[p] for s in searches]
            return (sum(r.matches for r in reports),
                    sum(r.first_mismatch.position for r in reports if r.first_mismatch))
        chosen, reason = max(pairings, key=agreement), "latest_first_mismatch"
    others.pop(chosen, None)
    return chosen, reason, others


def _case_entry(case: Case, search: PairingSearch | None, pairing: str, problem: dict | None) -> dict:
    entry: dict[str, Any] = {"name": case.name, "layer_sizes": case.layer_sizes}
    if problem is not None:
        return {**entry, "status": "problem", "problem": {k: v for k, v in problem.items() if k != "case"}}
    report = search.reports[pairing]
    mismatch = report.first_mismatch
    return {**entry, "status": "match" if report.matches else "mismatch",
            "first_mismatch": None if mismatch is None else _mismatch(mismatch),
            "mistakes": [m.id for m in report.diagnosis],
            "first_mismatch_mistakes": [m.id for m in report.first_mismatch_mistakes],
            "forms": _forms(report.diagnosis + report.first_mismatch_mistakes),
            "layout_notes": report.layout_notes}


def _mismatch(m) -> dict:
    return {"quantity": m.quantity, "layer": m.layer, "call": m.call, "equation": m.equation,
            "max_abs_difference": m.max_abs_difference, "index": m.index, "yours": m.yours, "expected": m.expected}


def _update_entry(update: UpdateNumbers | dict | None, search: PairingSearch | None, pairing: str,
                  backprop_status: str) -> dict | None:
    """How their update_mini_batch did on one case; None when their class has none."""
    if update is None:
        return None
    if not isinstance(update, UpdateNumbers) and update["problem"] == "skipped":  # parameters we cannot fill in
        return {"status": "skipped", "reason": update["skipped"], "parameters": update["parameters"]}
    if not isinstance(update, UpdateNumbers):
        return {"status": "problem", "problem": {k: v for k, v in update.items() if k != "case"}}
    report = search.reports[pairing]
    called = {"called_with": update.called_with} if update.called_with else {}
    if report.matches:
        return {"status": "match", "first_mismatch": None, "mistakes": [], "first_mismatch_mistakes": [], **called}
    if backprop_status == "mismatch":  # its step carries backprop's mistake: named once, above
        return {"status": "not_judged", "reason": "backprop_mismatch", **called}
    return {**called, "status": "mismatch", "first_mismatch": _mismatch(report.first_mismatch),
            "mistakes": [m.id for m in report.diagnosis],
            "first_mismatch_mistakes": [m.id for m in report.first_mismatch_mistakes],
            "forms": _forms(report.diagnosis + report.first_mismatch_mistakes)}


def _finding(mismatched: list[tuple[str, dict]], common: list[str], check: str) -> dict:
    """The first wrong number of one check (backprop or update_mini_batch) over the cases, and what explains it."""
    if not mismatched:
        return {"first_mismatch": None, "first_mismatch_mistakes": [], "unknown_mistake": False}
    name, first = mismatched[0]
    return {"first_mismatch": {"case": name, "check": check, **first["first_mismatch"]},
            # no mistake explains every case: name what explains the first one (all of it, else its first number)
            "first_mismatch_mistakes": [] if common else [_mistake(m, first["forms"]) for m in first["mistakes"]
                                                          or first["first_mismatch_mistakes"]],
            "unknown_mistake": not common}


def check_code(path: Path, output: str | None = None, class_name: str | None = None,
               function_name: str | None = None, timeout: float = 10.0,
               cases: tuple[Case, ...] = CASES) -> dict[str, Any]:
    """The whole check as a JSON-ready dict; its "status" (match, mismatch, problem) gives the exit code."""
    result: dict[str, Any] = {"file": str(path), "code": None, "status": "problem", "problem": None}
    try:
        run = run_learner_code(path, cases, class_name, function_name, timeout)
    except LearnerProblem as p:
        result["problem"] = {k: v for k, v in p.fields.items() if k != "printed_lines"}
        result["printed_lines"] = p.fields.get("printed_lines", 0)
        return result
    result.update(code={"kind": run.kind, "name": run.name}, printed_lines=run.printed.lines,
                  printed=run.printed.head, warnings=run.warnings)

    pairings = (output,) if output else PAIRINGS
    ran = [(c, run.cases[c.name]) for c in cases if isinstance(run.cases[c.name], CaseNumbers)]
    # One program lays out its nabla_w one way: the square case's read as the other cases' non-square ones.
    square = square_reading([transposed_by_shape(w.shape, n_in, n_out) for c, numbers in ran
                             for w, n_in, n_out in zip(numbers.grad_W, c.layer_sizes, c.layer_sizes[1:])])
    searches = {}
    for case, numbers in ran:
        yours, yours_again = numbers.yours()
        searches[case.name] = check_pairings(case.network(pairings[0]), case.inputs, case.labels, yours,
                                             yours_again=yours_again, pairings=pairings, square_transposed=square)
    problems = [run.cases[c.name] for c in cases if not isinstance(run.cases[c.name], CaseNumbers)]
    if not searches:
        result["problem"] = problems[0]
        return result

    chosen, reason, others = choose_pairing(list(searches.values()), pairings)
    entries = [_case_entry(c, searches.get(c.name), chosen, None if c.name in searches else run.cases[c.name])
               for c in cases]
    mismatched = [e for e in entries if e["status"] == "mismatch"]
    common = _common_mistakes(list(searches.values()), chosen) or []

    # Their step: the gradient it applied, under the output layer their backprop was read with.
    update_searches = {c.name: check_pairings(c.network(chosen), c.inputs, c.labels, u.yours(),
                                              learning_rate=UPDATE_ETA, pairings=(chosen,))
                       for c in cases if isinstance(u := run.updates.get(c.name), UpdateNumbers)}
    for case, entry in zip(cases, entries):
        entry["update"] = _update_entry(run.updates.get(case.name), update_searches.get(case.name), chosen,
                                        entry["status"])
    judged = [(e["name"], e["update"]) for e in entries if e["update"] and e["update"]["status"] in
              ("match", "mismatch")]
    update_mismatched = [(name, u) for name, u in judged if u["status"] == "mismatch"]
    update_common = (_common_mistakes([update_searches[name] for name, _ in judged], chosen) or []
                     if update_mismatched else [])
    finding = (_finding([(e["name"], e) for e in mismatched], common, "backprop") if mismatched
               else _finding(update_mismatched, update_common, "update_mini_batch"))
    update_problems = [{**e["update"]["problem"], "case": e["name"]} for e in entries
                       if e["update"] and e["update"]["status"] == "problem"]

    result.update(
        output={"pairing": chosen, "given": output is not None, "reason": "given" if output else reason,
                "also": [{"pairing": p, "mistakes": ids} for p, ids in others.items()]},
        cases=entries,
        update=None if not run.updates else {
            "method": "update_mini_batch", "eta": UPDATE_ETA,
            # network2.py's update_mini_batch(mini_batch, eta, lmbda, n): run without regularisation
            **({"lmbda": 0.0} if any(isinstance(u, UpdateNumbers) and u.called_with for u in run.updates.values())
               else {})},
        # the form named is the one of the first wrong case (another case may fit several forms)
        mistakes=[_mistake(m, {**(update_mismatched[0][1]["forms"] if update_mismatched else {}),
                               **(mismatched[0]["forms"] if mismatched else {})})
                  for m in dict.fromkeys(common + update_common)],
        **finding,
        layout_notes=sorted({n for e in entries for n in e.get("layout_notes", [])}),
    )
    if mismatched or update_mismatched:
        result["status"] = "mismatch"
    elif problems or update_problems:
        result["problem"] = (problems + update_problems)[0]
    else:
        result["status"] = "match"
    return result
