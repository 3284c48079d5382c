// paint_pad.js: paint a grid of cells by hand. Two uses:
// - "target" (learn the filter): cells 0 or 1 over a dimmed copy of the image, a square brush;
// - "ink" (draw your own image, like an MNIST digit): 16 levels of white ink on black, a round
//   brush with soft edges, as a pen leaves on a 28 x 28 grid.
// Press and drag to paint ("Erase" takes ink back), or use the keyboard: the arrow keys move the
// cursor cell and Space paints there. The cells go to Python when a stroke ends (one rerun per
// stroke), as one character per cell in reading order ("0"-"1" or "0"-"f"); the canvas keeps the
// same string in data-painted.

const DIGITS = "0123456789abcdef";

function drawPad(state) {
  const { rows, cols, cell, levels } = state.data;
  const context = state.canvas.getContext("2d");
  context.imageSmoothingEnabled = false; // the pixels as cells, not blurred
  if (state.background) {
    context.drawImage(state.background, 0, 0, cols * cell, rows * cell);
    context.fillStyle = "rgba(0, 0, 0, 0.45)";
  } else {
    context.fillStyle = "#000";
  }
  context.fillRect(0, 0, cols * cell, rows * cell);
  for (let i = 0; i < state.cells.length; i++) {
    if (state.cells[i] === 0) continue;
    const shade = Math.round((255 * state.cells[i]) / (levels - 1));
    context.fillStyle = state.background ? "rgba(255, 255, 255, 0.9)" : `rgb(${shade}, ${shade}, ${shade})`;
    context.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell, cell);
  }
  if (state.cursor && state.canvas === document.activeElement) {
    const [row, col] = state.cursor;
    context.lineWidth = 2;
    context.setLineDash([3, 2]);
    context.strokeStyle = "#ffb000";
    context.strokeRect(col * cell + 1, row * cell + 1, cell - 2, cell - 2);
    context.setLineDash([]);
  }
  state.canvas.dataset.painted = state.cells.map((level) => DIGITS[level]).join("");
  const inked = state.cells.filter((level) => level > 0).length;
  state.count.textContent = `${inked} of ${rows * cols} cells ${state.data.mode === "ink" ? "inked" : "painted"}`;
}

function stamp(state, row, col) {
  // The brush around (row, col): a square of 1, 3 or 5 cells for a target; for ink a round
  // pen whose edge cells get part of the ink, by how far they lie from its centre.
  const { rows, cols, levels, mode } = state.data;
  const reach = state.brush - 1;
  for (let r = row - reach; r <= row + reach; r++) {
    for (let c = col - reach; c <= col + reach; c++) {
      if (r < 0 || r >= rows || c < 0 || c >= cols) continue;
      const share = mode === "ink" ? Math.min(1, Math.max(0, reach + 1 - Math.hypot(r - row, c - col))) : 1;
      const level = Math.round(share * (levels - 1));
      const at = r * cols + c;
      state.cells[at] = state.erase ? Math.min(state.cells[at], levels - 1 - level) : Math.max(state.cells[at], level);
    }
  }
}

function paintAt(state, event) {
  const { rows, cols, cell } = state.data;
  const box = state.canvas.getBoundingClientRect();
  const scale = box.width / (cols * cell);
  const col = Math.floor((event.clientX - box.left) / scale / cell);
  const row = Math.floor((event.clientY - box.top) / scale / cell);
  if (row < 0 || row >= rows || col < 0 || col >= cols) {
    state.drawing = true; // off the grid: coming back starts a new segment, not a line across it
    return;
  }
  // A fast stroke moves several cells between two pointer events: fill the cells in between.
  const [fromRow, fromCol] = state.drawing === "moving" && state.cursor ? state.cursor : [row, col];
  const steps = Math.max(Math.abs(row - fromRow), Math.abs(col - fromCol), 1);
  for (let step = 1; step <= steps; step++) {
    stamp(state, Math.round(fromRow + ((row - fromRow) * step) / steps), Math.round(fromCol + ((col - fromCol) * step) / steps));
  }
  state.cursor = [row, col];
  state.drawing = "moving";
  drawPad(state);
}

function send(state) {
  state.setStateValue("painted", { cells: state.canvas.dataset.painted, id: Date.now() });
}

const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

function onKey(state, event) {
  const { rows, cols } = state.data;
  const [row, col] = state.cursor || [Math.floor(rows / 2), Math.floor(cols / 2)];
  if (MOVES[event.key]) {
    const [down, right] = MOVES[event.key];
    state.cursor = [Math.min(rows - 1, Math.max(0, row + down)), Math.min(cols - 1, Math.max(0, col + right))];
    if (state.keyPainting) stamp(state, ...state.cursor);
  } else if (event.key === " " || event.key === "Enter") {
    state.cursor = [row, col];
    if (!event.repeat) stamp(state, row, col);
    state.keyPainting = true;
  } else {
    return;
  }
  event.preventDefault();
  event.stopPropagation();
  drawPad(state);
}

function onKeyUp(state, event) {
  if ((event.key === " " || event.key === "Enter") && state.keyPainting) {
    state.keyPainting = false;
    send(state);
  }
}

function buildPad(root, state) {
  root.innerHTML = "";
  const { rows, cols, cell, mode } = state.data;
  const tools = element("div", "pp-tools", root);
  const brushLabel = element("label", "pp-label", tools, "Brush ");
  const brush = element("select", "pp-brush", brushLabel);
  const sizes = mode === "ink" ? [["1", "thin"], ["2", "medium"], ["3", "thick"]] : [["1", "1 cell"], ["2", "3 x 3 cells"], ["3", "5 x 5 cells"]];
  sizes.forEach(([size, text]) => { element("option", "", brush, text).value = size; });
  brush.value = `${state.brush}`;
  brush.onchange = () => { state.brush = Number(brush.value); };
  const eraseLabel = element("label", "pp-label", tools);
  const erase = element("input", "pp-erase", eraseLabel);
  erase.type = "checkbox";
  eraseLabel.appendChild(document.createTextNode(" Erase"));
  erase.onchange = () => { state.erase = erase.checked; };
  const clear = element("button", "pp-clear", tools, "Clear");
  clear.type = "button";
  clear.onclick = () => { state.cells.fill(0); drawPad(state); send(state); };
  state.count = element("span", "pp-count", tools);
  state.count.setAttribute("aria-live", "polite");
  state.canvas = element("canvas", "pp-canvas", root);
  state.canvas.width = cols * cell;
  state.canvas.height = rows * cell;
  state.canvas.tabIndex = 0;
  state.canvas.setAttribute("role", "application");
  state.canvas.setAttribute(
    "aria-label",
    `${state.data.label}: ${cols} x ${rows} cells. Press and drag to paint, or move with the arrow keys and hold Space to paint.`,
  );
  state.canvas.onpointerdown = (event) => {
    state.canvas.setPointerCapture(event.pointerId);
    state.drawing = true;
    paintAt(state, event);
  };
  state.canvas.onpointermove = (event) => { if (state.drawing) paintAt(state, event); };
  const endStroke = () => { if (state.drawing) { state.drawing = false; send(state); } };
  state.canvas.onpointerup = endStroke;
  state.canvas.onpointercancel = endStroke;
  state.canvas.onkeydown = (event) => onKey(state, event);
  state.canvas.onkeyup = (event) => onKeyUp(state, event);
  state.canvas.onfocus = () => {
    if (!state.cursor) state.cursor = [Math.floor(rows / 2), Math.floor(cols / 2)]; // where Space paints
    drawPad(state);
  };
  state.canvas.onblur = () => {
    if (state.keyPainting) { state.keyPainting = false; send(state); } // Space still held: the stroke ends
    drawPad(state);
  };
  if (state.data.background) {
    const background = new Image();
    background.onload = () => { state.background = background; drawPad(state); };
    background.src = state.data.background;
  }
  drawPad(state);
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".pp-root");
  if (!root) root = element("div", "pp-root", parentElement);
  let state = root.state;
  const key = `${data.key}`;
  if (!state || root.dataKey !== key) {
    root.dataKey = key;
    const cells = Array.from(data.painted, (digit) => DIGITS.indexOf(digit));
    state = { data, brush: data.mode === "ink" ? 2 : 1, erase: false, drawing: false, cells };
    root.state = state;
    buildPad(root, state);
  }
  state.setStateValue = setStateValue;
}
