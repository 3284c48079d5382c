// The filter pad: the 3x3 filter as big cells you change directly. Click the upper half of a cell
// to raise it by 1, the lower half to lower it; scroll over it; drag it up or down for bigger
// changes; or focus it and use the arrow keys (Page Up / Page Down: 5), Enter to type a value.
// An edit is sent to Python once it is committed (pointer released, scrolling or keys paused,
// typed value entered): one rerun per edit, never one per pixel of a drag. A typed value is sent
// as its text, for the core to read as it reads the table's cells. The colours and
// labels of committed values are the core's; a pending value is shown dashed until it returns.
// A long value is written smaller to fit its cell.

const PAUSE_MS = 450;
const DRAG_PX_PER_STEP = 12;

function build(root, state) {
  root.innerHTML = "";
  const pad = element("div", "fp-pad", root);
  pad.setAttribute("role", "group");
  pad.setAttribute("aria-label", "The filter: 3 x 3 values");
  state.cells = [];
  for (let i = 0; i < 9; i++) {
    const cell = element("div", "fp-cell", pad);
    cell.tabIndex = 0;
    cell.setAttribute("role", "spinbutton");
    cell.setAttribute("aria-label", `Filter row ${Math.floor(i / 3) + 1}, column ${(i % 3) + 1}`);
    element("span", "fp-up", cell, "▲").setAttribute("aria-hidden", "true");
    const value = element("span", "fp-value", cell);
    element("span", "fp-down", cell, "▼").setAttribute("aria-hidden", "true");
    state.cells.push({ cell, value });
    listen(state, i);
  }
  element("p", "fp-hint", root, "Click ▲ / ▼, scroll, drag or type (Enter).");
  document.fonts.ready.then(() => fit(state)); // measured again once the page's font has arrived
}

function paint(state) {
  state.cells.forEach(({ cell, value }, i) => {
    const pending = state.pending !== null && state.pending[i] !== state.data.values[i];
    value.textContent = pending ? formatValue(state.pending[i]) : state.data.labels[i];
    cell.style.background = pending ? "transparent" : state.data.colours[i];
    cell.style.color = pending ? "inherit" : state.data.inks[i];
    cell.classList.toggle("fp-pending", pending);
    cell.setAttribute("aria-valuenow", String(pending ? state.pending[i] : state.data.values[i]));
    cell.setAttribute("aria-valuetext", value.textContent);
  });
  fit(state);
}

function fit(state) {
  // A long value is written smaller so that it fits its cell: the core allows sizes up to 1,000,000,
  // so a cell may show up to ten characters ("-999999.99"). Short values keep the full size.
  state.cells.forEach(({ value }) => value.style.removeProperty("--fp-shrink"));
  const shrinks = state.cells.map(({ cell, value }) => (cell.clientWidth - 6) / value.getBoundingClientRect().width);
  state.cells.forEach(({ value }, i) => {
    if (shrinks[i] > 0 && shrinks[i] < 1) value.style.setProperty("--fp-shrink", Math.floor(shrinks[i] * 1000) / 1000);
  });
}

function change(state, index, delta) {
  if (state.pending === null) state.pending = [...state.data.values];
  state.pending[index] = Math.max(-1e6, Math.min(1e6, state.pending[index] + delta));
  paint(state);
}

function commitLater(state) {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => commit(state), PAUSE_MS);
}

function commit(state) {
  clearTimeout(state.timer);
  if (state.pending === null) return;
  const values = state.pending;
  if (values.some((value, i) => value !== state.data.values[i])) {
    state.setStateValue("edit", { values, id: Date.now() }); // the id makes a repeated edit count again
  } else {
    state.pending = null;
    paint(state);
  }
}

function typeValue(state, index) {
  commit(state); // changes still pending go first: the typed text is read against them
  const { cell, value } = state.cells[index];
  const input = element("input", "fp-input", cell);
  input.value = value.textContent;
  input.maxLength = 24; // as the table's cells
  input.setAttribute("aria-label", `Type the value of row ${Math.floor(index / 3) + 1}, column ${(index % 3) + 1}`);
  input.inputMode = "decimal";
  input.focus();
  input.select();
  let done = false;
  const finish = (keep) => {
    if (done) return;
    done = true;
    const text = input.value.trim();
    input.remove();
    cell.focus();
    // The text goes to Python as typed: the core reads it (1/9, 1,5) or says why it cannot.
    if (keep && text !== "" && text !== value.textContent) state.setTriggerValue("typed", { index, text });
  };
  input.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Enter") finish(true);
    if (event.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
  input.addEventListener("pointerdown", (event) => event.stopPropagation());
}

function listen(state, index) {
  const { cell } = state.cells[index];
  cell.addEventListener("wheel", (event) => {
    event.preventDefault();
    change(state, index, event.deltaY < 0 ? 1 : -1);
    commitLater(state);
  }, { passive: false });
  cell.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    cell.focus();
    cell.setPointerCapture(event.pointerId);
    const start = state.pending === null ? state.data.values[index] : state.pending[index];
    const drag = { y: event.clientY, moved: false };
    const move = (moveEvent) => {
      const steps = Math.round((drag.y - moveEvent.clientY) / DRAG_PX_PER_STEP);
      if (steps !== 0) drag.moved = true;
      if (drag.moved) {
        if (state.pending === null) state.pending = [...state.data.values];
        state.pending[index] = Math.max(-1e6, Math.min(1e6, start + steps));
        paint(state);
      }
    };
    const up = (upEvent) => {
      cell.removeEventListener("pointermove", move);
      cell.removeEventListener("pointerup", up);
      cell.removeEventListener("pointercancel", up);
      if (!drag.moved && upEvent.type === "pointerup") {
        const box = cell.getBoundingClientRect();
        change(state, index, upEvent.clientY < box.top + box.height / 2 ? 1 : -1);
      }
      commit(state);
    };
    cell.addEventListener("pointermove", move);
    cell.addEventListener("pointerup", up);
    cell.addEventListener("pointercancel", up);
  });
  cell.addEventListener("keydown", (event) => {
    const steps = { ArrowUp: 1, ArrowDown: -1, PageUp: 5, PageDown: -5, "+": 1, "-": -1 };
    if (steps[event.key] !== undefined) {
      change(state, index, steps[event.key]);
      commitLater(state);
    } else if (event.key === "Enter" || event.key === "F2") {
      typeValue(state, index);
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      const next = index + (event.key === "ArrowLeft" ? -1 : 1);
      if (next >= 0 && next < 9) state.cells[next].cell.focus();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
  cell.addEventListener("dblclick", () => typeValue(state, index));
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  let root = parentElement.querySelector(".fp-root");
  if (!root) root = element("div", "fp-root", parentElement);
  if (!root.state) {
    root.state = { pending: null, timer: null };
    build(root, root.state);
  }
  const state = root.state;
  state.setStateValue = setStateValue;
  state.setTriggerValue = setTriggerValue;
  state.data = data;
  state.pending = null; // the committed values are back from Python (or replaced by a preset)
  paint(state);
}
