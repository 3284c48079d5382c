// The filter pad: the 3x3 filter as big cells you change directly. Click the upper half of a cell
// to raise it by 1, the lower half to lower it; scroll over it; drag it up or down for bigger
// changes; or focus it and use the arrow keys (Page Up / Page Down: 5), Enter to type a value.
// An edit is sent to Python once it is committed (pointer released, scrolling or keys paused,
// typed value entered): one rerun per edit, never one per pixel of a drag. The colours and
// labels of committed values are the core's; a pending value is shown dashed until it returns.

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
  const { cell, value } = state.cells[index];
  const input = element("input", "fp-input", cell);
  input.value = value.textContent;
  input.setAttribute("aria-label", `Type the value of row ${Math.floor(index / 3) + 1}, column ${(index % 3) + 1}`);
  input.inputMode = "decimal";
  input.focus();
  input.select();
  let done = false;
  const finish = (keep) => {
    if (done) return;
    done = true;
    const typed = Number(input.value.trim());
    input.remove();
    cell.focus();
    if (keep && input.value.trim() !== "" && Number.isFinite(typed) && Math.abs(typed) <= 1e6) {
      if (state.pending === null) state.pending = [...state.data.values];
      state.pending[index] = typed;
      paint(state);
      commit(state);
    }
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
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".fp-root");
  if (!root) root = element("div", "fp-root", parentElement);
  if (!root.state) {
    root.state = { pending: null, timer: null };
    build(root, root.state);
  }
  const state = root.state;
  state.setStateValue = setStateValue;
  state.data = data;
  state.pending = null; // the committed values are back from Python (or replaced by a preset)
  paint(state);
}
