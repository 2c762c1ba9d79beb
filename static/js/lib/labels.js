// What a one-hot (or soft) label row says, and whether an experiment holds out a test part.

/** The class of a label row: the index of its largest entry. */
export function classOf(labelRow) {
  return labelRow.indexOf(Math.max(...labelRow));
}

/** Whether the `configured` experiment holds out a test part (`dataset.test_fraction`). */
export const hasTestPart = (configured) => (configured.test_inputs?.length ?? 0) > 0;
