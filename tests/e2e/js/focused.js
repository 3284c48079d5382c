// The element that has the keyboard's focus, through open shadow roots (the Components v2 elements
// live in one), and its accessible name as a screen reader would read it (aria-label, aria-labelledby,
// a <label>, alt, its text, its title), or "" when it has none.
() => {
  let element = document.activeElement;
  while (element && element.shadowRoot && element.shadowRoot.activeElement) element = element.shadowRoot.activeElement;
  if (!element || element === document.body) return null;
  const root = element.getRootNode();
  const byIds = (ids) => ids.split(/\s+/).map((id) => root.getElementById ? root.getElementById(id) : document.getElementById(id)).filter(Boolean).map((node) => node.textContent).join(" ");
  const name = element.getAttribute("aria-label")
    || (element.getAttribute("aria-labelledby") && byIds(element.getAttribute("aria-labelledby")))
    || (element.labels && element.labels.length && element.labels[0].innerText)
    || element.getAttribute("alt")
    || element.innerText
    || element.getAttribute("title")
    || "";
  if (!element.dataset.focusId) element.dataset.focusId = Math.random().toString(36).slice(2);
  return { id: element.dataset.focusId, tag: element.tagName.toLowerCase(), role: element.getAttribute("role") || "", name: name.replace(/\s+/g, " ").trim() };
}
