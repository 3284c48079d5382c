// The hover grid: the filtered image drawn as cells with their values; hovering, touching or
// moving with the arrow keys over a cell shows its walkthrough at once, with no server round
// trip. Every text shown comes from the Python core (filters/hover.py): this code only looks
// texts up and lays them out. Click or Enter pins a pixel (sent to Python as a trigger).

function element(tag, className, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (parent) parent.appendChild(node);
  return node;
}

function smallGrid(parent, title) {
  const box = element("figure", "hg-small", parent);
  const grid = element("div", "hg-small-grid", box);
  grid.setAttribute("role", "table");
  grid.setAttribute("aria-label", title);
  const cells = [];
  for (let i = 0; i < 9; i++) cells.push(element("div", "hg-small-cell", grid));
  element("figcaption", "", box).textContent = title;
  return cells;
}

function build(root) {
  root.innerHTML = "";
  const layout = element("div", "hg", root);
  const grid = element("div", "hg-grid", layout);
  grid.tabIndex = 0;
  grid.setAttribute("role", "grid");
  const explain = element("div", "hg-explain", layout);
  const heading = element("p", "hg-heading", explain);
  heading.setAttribute("aria-live", "polite");
  const smalls = element("div", "hg-smalls", explain);
  const parts = {
    layout, grid, heading,
    window: smallGrid(smalls, "Input window"),
    kernel: smallGrid(smalls, "× the filter"),
    products: smallGrid(smalls, "= the nine products"),
    windowTitle: smalls.firstChild.lastChild,
    sum: element("p", "hg-line hg-sum", explain),
    weight: element("p", "hg-line hg-weight", explain),
    mapping: element("p", "hg-line hg-mapping", explain),
    hint: element("p", "hg-hint", explain),
  };
  parts.hint.textContent = "Hover or touch a pixel, or use the arrow keys; click or Enter pins it.";
  return parts;
}

function drawGrid(parts, data, width) {
  const { grid } = parts;
  grid.innerHTML = "";
  // Half the width for the grid and half for the explanation beside it; on a narrow screen
  // (a phone) the explanation goes below and the grid takes the whole width. Cells 12 to 48 px.
  const share = width < 700 ? 1 : 0.5;
  const cell = Math.max(12, Math.min(48, Math.floor((Math.min(width, 1400) * share - 2) / data.cols)));
  grid.style.setProperty("--hg-cell", `${cell}px`);
  grid.style.gridTemplateColumns = `repeat(${data.cols}, var(--hg-cell))`;
  const longest = Math.max(1, ...data.labels.map((label) => label.length));
  grid.style.setProperty("--hg-font-scale", String(Math.min(0.42, 0.86 / (0.64 * longest))));
  grid.setAttribute("aria-label", `Filtered image, ${data.cols} x ${data.rows} pixels`);
  parts.cells = data.labels.map((label, index) => {
    const cell = element("div", "hg-cell", grid);
    cell.setAttribute("role", "gridcell");
    cell.dataset.index = String(index);
    cell.textContent = label;
    cell.style.background = data.colours[index];
    cell.style.color = data.inks[index];
    return cell;
  });
}

function show(parts, data, index, pinned) {
  const walk = data.walks[index];
  const row = Math.floor(index / data.cols);
  const col = index % data.cols;
  parts.heading.textContent =
    `Output pixel (row ${row}, column ${col})${data.note} = ${walk.final}` + (pinned ? " (pinned)" : "");
  parts.windowTitle.textContent =
    `Input window: rows ${walk.top} to ${walk.top + 2}, columns ${walk.left} to ${walk.left + 2}`;
  walk.window.forEach((text, i) => {
    parts.window[i].textContent = text;
    parts.window[i].classList.toggle("hg-padding", walk.padded[i]);
  });
  data.kernel.forEach((text, i) => (parts.kernel[i].textContent = text));
  walk.products.forEach((text, i) => (parts.products[i].textContent = text));
  parts.sum.textContent = `Sum of the nine products: ${walk.sum}`;
  parts.weight.textContent = `× weight: ${walk.weight}`;
  parts.mapping.textContent = `Output mapping: ${walk.mapping}`;
  parts.cells.forEach((cell) => cell.classList.remove("hg-active"));
  parts.cells[index].classList.add("hg-active");
  parts.grid.setAttribute("aria-activedescendant", "");
  parts.shown = index;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".hg-root");
  if (!root) {
    root = element("div", "hg-root", parentElement);
  }
  if (!root.parts) root.parts = build(root);
  const parts = root.parts;
  const fresh = root.dataKey !== data.key;
  root.dataKey = data.key;
  parts.data = data;
  if (fresh) drawGrid(parts, data, root.getBoundingClientRect().width || 800);
  const pinned = data.pinned[0] * data.cols + data.pinned[1];
  parts.pinned = pinned;
  show(parts, data, pinned, true);

  if (!root.listening) {
    root.listening = true;
    const indexOf = (event) => {
      const cell = event.target.closest ? event.target.closest(".hg-cell") : null;
      return cell ? Number(cell.dataset.index) : null;
    };
    parts.grid.addEventListener("pointermove", (event) => {
      const index = indexOf(event);
      if (index !== null && index !== parts.shown) show(parts, parts.data, index, index === parts.pinned);
    });
    parts.grid.addEventListener("pointerleave", () => show(parts, parts.data, parts.pinned, true));
    const pin = (index) => {
      parts.pinned = index;
      show(parts, parts.data, index, true);
      setTriggerValue("pinned", [Math.floor(index / parts.data.cols), index % parts.data.cols]);
    };
    parts.grid.addEventListener("click", (event) => {
      const index = indexOf(event);
      if (index !== null) pin(index);
    });
    parts.grid.addEventListener("keydown", (event) => {
      const { rows, cols } = parts.data;
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      if (event.key === "Enter" || event.key === " ") {
        pin(parts.shown);
      } else if (moves[event.key]) {
        const [dr, dc] = moves[event.key];
        const row = Math.min(rows - 1, Math.max(0, Math.floor(parts.shown / cols) + dr));
        const col = Math.min(cols - 1, Math.max(0, (parts.shown % cols) + dc));
        show(parts, parts.data, row * cols + col, row * cols + col === parts.pinned);
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    });
  }
}
