// What a one-hot (or soft) label row says.

/** The class of a label row: the index of its largest entry. */
export function classOf(labelRow) {
  return labelRow.indexOf(Math.max(...labelRow));
}
