// target_pad.js: paint a target map by hand for "learn the filter". The grid is the filter's output
// (one cell per output pixel, at most 64 a side) over a dimmed copy of the image, so you paint where
// the output should be bright: press and drag to paint, with "Erase" to take cells back, a brush of
// 1-3 cells, and "Clear". The painted cells go to Python once the pointer is released (one rerun per
// stroke), as a string of 0s and 1s in reading order; the canvas keeps it in data-painted as well.

function drawPad(state) {
  const { rows, cols, cell } = state.data;
  const context = state.canvas.getContext("2d");
  context.imageSmoothingEnabled = false; // the pixels as cells, not blurred
  context.drawImage(state.background, 0, 0, cols * cell, rows * cell);
  context.fillStyle = "rgba(0, 0, 0, 0.45)";
  context.fillRect(0, 0, cols * cell, rows * cell);
  context.fillStyle = "rgba(255, 255, 255, 0.9)";
  for (let i = 0; i < state.painted.length; i++) {
    if (state.painted[i] === "1") context.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell, cell);
  }
  state.canvas.dataset.painted = state.painted.join("");
  state.count.textContent = `${state.painted.filter((bit) => bit === "1").length} of ${rows * cols} cells painted`;
}

function paintAt(state, event) {
  const { rows, cols, cell } = state.data;
  const box = state.canvas.getBoundingClientRect();
  const scale = box.width / (cols * cell);
  const col = Math.floor((event.clientX - box.left) / scale / cell);
  const row = Math.floor((event.clientY - box.top) / scale / cell);
  const reach = state.brush - 1;
  for (let r = row - reach; r <= row + reach; r++) {
    for (let c = col - reach; c <= col + reach; c++) {
      if (r >= 0 && r < rows && c >= 0 && c < cols) state.painted[r * cols + c] = state.erase ? "0" : "1";
    }
  }
  drawPad(state);
}

function send(state) {
  state.setStateValue("painted", { cells: state.painted.join(""), id: Date.now() });
}

function buildPad(root, state) {
  root.innerHTML = "";
  const { rows, cols, cell } = state.data;
  const tools = element("div", "tp-tools", root);
  const brushLabel = element("label", "tp-label", tools, "Brush ");
  const brush = element("select", "tp-brush", brushLabel);
  [["1", "1 cell"], ["2", "3 x 3 cells"], ["3", "5 x 5 cells"]].forEach(([size, text]) => {
    element("option", "", brush, text).value = size;
  });
  brush.onchange = () => { state.brush = Number(brush.value); };
  const eraseLabel = element("label", "tp-label", tools);
  const erase = element("input", "tp-erase", eraseLabel);
  erase.type = "checkbox";
  eraseLabel.appendChild(document.createTextNode(" Erase"));
  erase.onchange = () => { state.erase = erase.checked; };
  const clear = element("button", "tp-clear", tools, "Clear");
  clear.type = "button";
  clear.onclick = () => { state.painted.fill("0"); drawPad(state); send(state); };
  state.count = element("span", "tp-count", tools);
  state.canvas = element("canvas", "tp-canvas", root);
  state.canvas.width = cols * cell;
  state.canvas.height = rows * cell;
  state.canvas.setAttribute("role", "img");
  state.canvas.setAttribute("aria-label", `Target to paint: ${rows} x ${cols} cells`);
  state.canvas.onpointerdown = (event) => {
    state.canvas.setPointerCapture(event.pointerId);
    state.drawing = true;
    paintAt(state, event);
  };
  state.canvas.onpointermove = (event) => { if (state.drawing) paintAt(state, event); };
  state.canvas.onpointerup = () => { if (state.drawing) { state.drawing = false; send(state); } };
  state.background = new Image();
  state.background.onload = () => drawPad(state);
  state.background.src = state.data.background;
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".tp-root");
  if (!root) root = element("div", "tp-root", parentElement);
  let state = root.state;
  const key = `${data.key}`;
  if (!state || root.dataKey !== key) {
    root.dataKey = key;
    state = { data, brush: 1, erase: false, drawing: false, painted: data.painted.split("") };
    root.state = state;
    buildPad(root, state);
  }
  state.setStateValue = setStateValue;
}
