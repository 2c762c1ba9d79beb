// A menu of the experiment's runs (the network's and the confusion matrix's "run shown"), rebuilt for new runs.

/** One option per run, by its name; the run chosen before stays chosen when it is still there. */
export function fillRunMenu(select, runs) {
  const previous = select.value;
  select.replaceChildren(...runs.map((run) => new Option(run.name, run.id)));
  if (runs.some((run) => run.id === previous)) select.value = previous;
}
