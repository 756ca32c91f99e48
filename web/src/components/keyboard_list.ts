// Keyboard navigation for a list of rows: ArrowUp/ArrowDown (or k/j) move the selection,
// Home/End jump, Enter opens the selected row. Rows are focusable (roving tabindex), so the
// list is one tab stop.

export function keyboardList(container: HTMLElement, rows: HTMLElement[], open: (row: HTMLElement) => void): () => void {
  let index = -1;
  const select = (i: number, focus = true) => {
    if (rows.length === 0) return;
    index = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, j) => {
      r.setAttribute("aria-selected", String(j === index));
      r.tabIndex = j === index ? 0 : -1;
    });
    if (focus) rows[index].focus();
    rows[index].scrollIntoView({ block: "nearest" });
  };
  rows.forEach((r, j) => {
    r.tabIndex = j === 0 ? 0 : -1;
    r.setAttribute("aria-selected", "false");
    r.addEventListener("click", (e) => {
      if ((e.target as Element).closest("a, button, input, select, textarea, label, [data-no-open]")) return;
      select(j);
      open(r);
    });
    r.addEventListener("focus", () => {
      if (index !== j) select(j, false);
    });
  });
  const onKey = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    // Typing in a form inside a row (a silence's comment) is not navigation.
    if ((e.target as Element).closest?.("input, select, textarea, button")) return;
    switch (e.key) {
      case "ArrowDown":
      case "j":
        select(index + 1);
        break;
      case "ArrowUp":
      case "k":
        select(index - 1);
        break;
      case "Home":
        select(0);
        break;
      case "End":
        select(rows.length - 1);
        break;
      case "Enter":
        if (index >= 0) open(rows[index]);
        break;
      default:
        return;
    }
    e.preventDefault();
  };
  container.addEventListener("keydown", onKey);
  return () => container.removeEventListener("keydown", onKey);
}
