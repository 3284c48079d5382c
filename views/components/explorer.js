// The explorer: a region of the image and of its filtered output, drawn as cells with their values,
// that explains the pixel under the pointer and plays the steppers, all in the browser.
// It receives the core's numbers as raw bytes (filters/explore.py) and only looks them up, writes
// them with formatValue (format.js, the core's formatter) and multiplies the nine products; a
// browser test checks every text against the core. Click or Enter pins a pixel (a trigger to Python).

const SPEEDS = [1, 2, 4, 8, 12, 20];
const PROJECTOR_FONT_PX = 26; // numbers at least 24 px tall from the back of a room
const REST_MS = 1000;
const STEP_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End", " "];
const TYPING = "input, textarea, select, [contenteditable=true], [role=slider], [role=spinbutton], [role=combobox], [role=application]";
const TAKES_KEYS = `${TYPING}, button, a, [role=button], [role=listbox], [role=radiogroup], [role=radio], [role=tab], [role=menu], [role=option], [role=grid]`; // a stepper that stays on a step this long reports it (for the page's link)

function unpack(bytes) {
  // A copy starting at offset 0, so every array is 8-byte aligned for Float64Array.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes);
  const length = new DataView(copy.buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(copy.subarray(4, 4 + length)));
  const arrays = {};
  for (const [name, entry] of Object.entries(header.arrays)) {
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const offset = 4 + length + entry.offset;
    arrays[name] =
      entry.dtype === "u1" ? new Uint8Array(copy.buffer, offset, count) : new Float64Array(copy.buffer, offset, count);
  }
  return { header, arrays };
}

const longestOf = (labels) => Math.max(1, ...labels.map((label) => label.length));

function rgb(colours, index) {
  return `rgb(${colours[3 * index]}, ${colours[3 * index + 1]}, ${colours[3 * index + 2]})`;
}

// ---- Grids of cells --------------------------------------------------------------------------

function ofCount(state) {
  // " of 676": left out while the learner guesses the sizes (the count of steps would tell them).
  return state.model.header.sizes === false ? "" : ` of ${state.count}`;
}

function grid(parent, title, rows, cols, labels, colours, inks, size, showSize = true) {
  const figure = element("figure", "ex-figure", parent);
  const box = element("div", "ex-grid", figure);
  // A group, not an ARIA grid: the cells are not announced one by one; the explanation of the
  // pixel in focus is (the .ex-spoken live region).
  box.setAttribute("role", "group");
  const dimensions = `${cols} x ${rows}`;  // not written while the learner guesses the sizes
  box.setAttribute("aria-label", `${title}${showSize ? `, ${dimensions}` : ""}: arrow keys move, the explanation is read out`);
  const { width, height, fontPx } = cellBox(size, longestOf(labels));
  box.style.gridTemplateColumns = `repeat(${cols}, ${width}px)`;
  box.style.fontSize = `${fontPx}px`;
  const cells = labels.map((label, index) => {
    const cell = element("div", "ex-cell", box, label);
    cell.style.width = `${width}px`;
    cell.style.height = `${height}px`;
    cell.style.background = rgb(colours, index);
    cell.style.color = inks[index] ? "#fff" : "#000";
    cell.dataset.index = String(index);
    return cell;
  });
  element("figcaption", "", figure, showSize ? `${title} · ${dimensions}` : title);
  return { box, cells, rows, cols };
}

function cellBox(size, longest) {
  // A square cell with its text as large as fits; on a projector the text is PROJECTOR_FONT_PX
  // at least and the cell widens to hold the longest label.
  if (size.projector) {
    const fontPx = projectorFont(size.cellPx);
    return { width: projectorWidth(size.cellPx, fontPx, longest), height: size.cellPx, fontPx };
  }
  const fontPx = Math.max(6, Math.min(size.cellPx * 0.42, (size.cellPx * 0.86) / (0.6 * longest)));
  return { width: size.cellPx, height: size.cellPx, fontPx };
}

// A phone cannot hold numbers that big beside each other; a projector always can.
const projectorFont = (cellPx) =>
  window.innerWidth < 700 ? 20 : Math.max(PROJECTOR_FONT_PX, Math.min(cellPx * 0.34, 34));
const projectorWidth = (cellPx, fontPx, longest) => Math.max(cellPx, Math.ceil(longest * 0.62 * fontPx + 12));

function outlineStyle(root, style) {
  // The outline colours and line styles of the pictures (filters/drawing.py) as CSS variables:
  // the filter window and the chosen pixel solid amber, the value pooling keeps dashed cyan.
  root.style.setProperty("--ex-highlight", style.highlight);
  root.style.setProperty("--ex-highlight-line", style.highlightLine);
  root.style.setProperty("--ex-chosen", style.chosen);
  root.style.setProperty("--ex-chosen-line", style.chosenLine);
}

function outline(gridParts, top, left, rows, cols, className) {
  // An absolutely placed box over cells (top, left) .. (top + rows - 1, left + cols - 1).
  let box = gridParts.box.querySelector(`.${className}`);
  if (!box) box = element("div", `ex-outline ${className}`, gridParts.box);
  if (rows <= 0 || cols <= 0) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const first = gridParts.cells[top * gridParts.cols + left];
  const last = gridParts.cells[(top + rows - 1) * gridParts.cols + left + cols - 1];
  box.style.top = `${first.offsetTop}px`;
  box.style.left = `${first.offsetLeft}px`;
  box.style.width = `${last.offsetLeft + last.offsetWidth - first.offsetLeft}px`;
  box.style.height = `${last.offsetTop + last.offsetHeight - first.offsetTop}px`;
}

function smallGrid(parent, title) {
  const figure = element("figure", "ex-small", parent);
  const box = element("div", "ex-small-grid", figure);
  box.setAttribute("role", "table");
  box.setAttribute("aria-label", title);
  const cells = [];
  for (let i = 0; i < 9; i++) cells.push(element("div", "ex-small-cell", box));
  const caption = element("figcaption", "", figure, title);
  return { cells, caption };
}

function cellSize(width, grids, projector, hideable = false, stepper = false) {
  // grids: [{cols, rows, longest}] side by side. They share the width left of the explanation
  // (all of it on a phone). Normal: 12 to 56 px cells. Projector: the largest cell from 96 px down
  // to 56 px whose grids (widened for their longest labels) fit beside the explanation and whose
  // rows fit on the screen.
  if (projector) {
    // Below the grids' top: the page's title, image row and view buttons, and a stepper's controls.
    const above = stepper ? 545 : 420;
    const tall = Math.floor((window.innerHeight - above) / Math.max(...grids.map((g) => g.rows)));
    const smallest = window.innerWidth < 700 ? 40 : 56; // a phone holds smaller cells
    const largest = Math.min(96, Math.max(smallest, tall));
    const fits = (shown) => {
      const area = (width >= 1100 ? width - 704 : width) - 32 * shown.length;
      for (let cellPx = largest; cellPx >= smallest; cellPx -= 4) {
        const fontPx = projectorFont(cellPx);
        const total = shown.reduce((sum, g) => sum + g.cols * projectorWidth(cellPx, fontPx, g.longest), 0);
        if (total <= area) return cellPx;
      }
      return null;
    };
    const both = fits(grids);
    if (both !== null || !hideable) return { cellPx: both ?? smallest, projector: true, hideFirst: false };
    // No room for the input grid beside the explanation: the small "Input window" grid shows its
    // nine numbers, and the grid being explained stays large.
    return { cellPx: fits(grids.slice(1)) ?? smallest, projector: true, hideFirst: true };
  }
  const columns = grids.map((g) => g.cols);
  const area = width >= 1100 ? width * 0.6 : width;
  const share = area >= 640 && columns.length > 1 ? area / 2 - 24 : area - 8;
  return { cellPx: Math.max(12, Math.min(56, Math.floor(share / Math.max(...columns)))), projector: false };
}

// ---- Convolution: inspect a pixel, slide the filter ----------------------------------------------

function convolutionTexts(model, index) {
  // Every text of one output pixel's walkthrough, from the core's numbers.
  const { header, arrays } = model;
  const { rows: regionRows, cols: regionCols, top, left } = header.region;
  const inputCols = header.inputRegion.cols;
  const row = Math.floor(index / regionCols);
  const col = index % regionCols;
  const window = [];
  const padded = [];
  const products = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const at = (row + i) * inputCols + col + j;
      window.push(arrays.inputs[at]);
      padded.push(arrays.padded[at] === 1);
      products.push(arrays.inputs[at] * header.kernel[3 * i + j]);
    }
  }
  const raw = arrays.sums[index];
  const plain = header.weight === 1 ? raw : arrays.plain[index];
  const terms = window.map((value, i) => `${formatValue(value)} × ${formatValue(header.kernel[i])}`).join(" + ");
  const rawText = formatValue(raw);
  const finalText = formatValue(arrays.mapped[index]);
  const pooledRegion = header.pooledRegion;
  const pooledRow = Math.floor((top + row) / 2) - pooledRegion.top;
  const pooledCol = Math.floor((left + col) / 2) - pooledRegion.left;
  const pooled =
    pooledRow < pooledRegion.rows && pooledCol < pooledRegion.cols
      ? arrays.pooled[pooledRow * pooledRegion.cols + pooledCol]
      : null;
  return {
    row: top + row,
    col: left + col,
    localRow: row,
    localCol: col,
    windowTop: header.inputRegion.top + row,
    windowLeft: header.inputRegion.left + col,
    window: window.map(formatValue),
    padded,
    kernel: header.kernel.map(formatValue),
    products: products.map(formatValue),
    sum: `${terms} = ${formatValue(plain)}`,
    weight: `${formatValue(plain)} × ${header.weightText} = ${rawText}`,
    mapping: header.mapping.replaceAll("{raw}", rawText).replaceAll("{value}", finalText),
    final: finalText,
    pooled:
      pooled === null
        ? "It lies in the odd last row or column that 2 x 2 pooling drops."
        : `Its 2 x 2 block pools into cell (row ${pooledRegion.top + pooledRow}, column ${
            pooledRegion.left + pooledCol
          }) = ${formatValue(pooled)}.`,
  };
}

function buildConvolution(root, model, width) {
  const { header, arrays } = model;
  const { rows, cols } = header.region;
  const inputs = header.inputRegion;
  const inputLabels = Array.from(arrays.inputs, (value, i) => (arrays.padded[i] ? "0" : formatValue(value)));
  const outputLabels = Array.from(arrays.mapped, formatValue);
  const cellPx = cellSize(
    width,
    [
      { cols: inputs.cols, rows: inputs.rows, longest: longestOf(inputLabels) },
      { cols, rows, longest: longestOf(outputLabels) },
    ],
    header.projector,
    true,
    header.view !== "inspect",
  );
  const grids = element("div", "ex-grids", root);
  const input = grid(grids, "Input", inputs.rows, inputs.cols, inputLabels, arrays.input_colours, arrays.input_inks, cellPx, header.sizes !== false);
  input.cells.forEach((cell, i) => {
    if (arrays.padded[i]) {
      cell.style.background = header.style.paddingFill;
      cell.style.color = "#000";
      cell.classList.add("ex-padding");
    }
  });
  const output = grid(grids, "Filtered" + header.note, rows, cols, outputLabels, arrays.colours, arrays.inks, cellPx, header.sizes !== false);
  input.box.tabIndex = -1;
  input.box.parentElement.hidden = Boolean(cellPx.hideFirst);
  output.box.tabIndex = 0;
  return { input, output, labels: outputLabels };
}

function buildExplanation(root) {
  const explain = element("div", "ex-explain", root);
  const heading = element("p", "ex-heading", explain);
  const smalls = element("div", "ex-smalls", explain);
  const parts = {
    explain,
    heading,
    window: smallGrid(smalls, "Input window"),
    kernel: smallGrid(smalls, "× the filter"),
    products: smallGrid(smalls, "= the nine products"),
    sum: element("p", "ex-line ex-sum", explain),
    weight: element("p", "ex-line ex-weight", explain),
    mapping: element("p", "ex-line ex-mapping", explain),
    pooled: element("p", "ex-line ex-pooled", explain),
    spoken: element("p", "ex-spoken", explain),
  };
  parts.spoken.setAttribute("aria-live", "polite");
  return parts;
}

function showConvolution(state, index) {
  const texts = convolutionTexts(state.model, index);
  const { parts, grids } = state;
  const pinned = state.view === "inspect" && texts.row === state.pinned[0] && texts.col === state.pinned[1];
  parts.heading.textContent =
    `Output pixel (row ${texts.row}, column ${texts.col})${state.model.header.note} = ${texts.final}` +
    (pinned ? " (pinned)" : state.view === "inspect" ? " (hovered)" : "");
  parts.window.caption.textContent = `Input window: rows ${texts.windowTop} to ${texts.windowTop + 2}, columns ${
    texts.windowLeft
  } to ${texts.windowLeft + 2}`;
  texts.window.forEach((text, i) => {
    parts.window.cells[i].textContent = text;
    parts.window.cells[i].classList.toggle("ex-padding", texts.padded[i]);
  });
  texts.kernel.forEach((text, i) => (parts.kernel.cells[i].textContent = text));
  texts.products.forEach((text, i) => (parts.products.cells[i].textContent = text));
  parts.sum.textContent = `Sum of the nine products: ${texts.sum}`;
  parts.weight.textContent = `× weight: ${texts.weight}`;
  parts.mapping.textContent = `Output mapping: ${texts.mapping}`;
  parts.pooled.textContent = texts.pooled;
  state.stepText =
    `Step ${index + 1}${ofCount(state)}${state.model.header.note}: the window on input rows ${texts.windowTop} to ` +
    `${texts.windowTop + 2}, columns ${texts.windowLeft} to ${texts.windowLeft + 2} gives output pixel ` +
    `(row ${texts.row}, column ${texts.col}) = ${texts.final}`;
  if (!state.playing) {
    parts.spoken.textContent = `Output pixel row ${texts.row}, column ${texts.col}: ${texts.sum}; ${texts.weight}; ${texts.mapping}.`;
  }
  outline(grids.input, texts.localRow, texts.localCol, 3, 3, "ex-window");
  outline(grids.output, texts.localRow, texts.localCol, 1, 1, "ex-current");
  const { top, left, rows, cols } = state.model.header.region;
  const blockTop = Math.floor((top + texts.localRow) / 2) * 2 - top;
  const blockLeft = Math.floor((left + texts.localCol) / 2) * 2 - left;
  const blockRows = Math.min(2, rows - Math.max(blockTop, 0), 2 + blockTop);
  const blockCols = Math.min(2, cols - Math.max(blockLeft, 0), 2 + blockLeft);
  outline(grids.output, Math.max(blockTop, 0), Math.max(blockLeft, 0), blockRows, blockCols, "ex-block");
  grids.output.box.setAttribute("aria-activedescendant", "");
  state.shown = index;
}

// ---- Pooling --------------------------------------------------------------------------------------

function buildPooling(root, model, width) {
  const { header, arrays } = model;
  const [rows, cols] = header.arrays.values.shape;
  const [outRows, outCols] = header.arrays.pooled.shape;
  const valueLabels = Array.from(arrays.values, formatValue);
  const pooledLabels = Array.from(arrays.pooled, formatValue);
  const cellPx = cellSize(
    width,
    [
      { cols, rows, longest: longestOf(valueLabels) },
      { cols: outCols, rows: outRows, longest: longestOf(pooledLabels) },
    ],
    header.projector,
    false,
    true,
  );
  const grids = element("div", "ex-grids", root);
  const values = grid(grids, header.title, rows, cols, valueLabels, arrays.colours, arrays.inks, cellPx, header.sizes !== false);
  const pooled = grid(grids, "Pooled", outRows, outCols, pooledLabels, arrays.pooled_colours, arrays.pooled_inks, cellPx, header.sizes !== false);
  values.box.tabIndex = 0;
  return { input: values, output: pooled, labels: pooledLabels };
}

function showPooling(state, step) {
  const { header, arrays } = state.model;
  const { parts, grids } = state;
  const [, cols] = header.arrays.values.shape;
  const outCols = header.arrays.pooled.shape[1];
  const outRow = Math.floor(step / outCols);
  const outCol = step % outCols;
  const top = outRow * 2;
  const left = outCol * 2;
  const window = [0, 1, cols, cols + 1].map((offset) => arrays.values[top * cols + left + offset]);
  const texts = window.map(formatValue);
  const value = formatValue(arrays.pooled[step]);
  const sum =
    header.poolKind === "max" ? `max(${texts.join(", ")}) = ${value}` : `(${texts.join(" + ")}) / 4 = ${value}`;
  const region = header.region;
  const cell = `(row ${region.top / 2 + outRow}, column ${region.left / 2 + outCol})`;
  parts.heading.textContent = `Pooled cell ${cell} = ${value}`;
  parts.sum.textContent = sum;
  state.stepText =
    `Step ${step + 1}${ofCount(state)}: the 2 x 2 window at rows ${region.top + top}–${region.top + top + 1}, ` +
    `columns ${region.left + left}–${region.left + left + 1} → pooled cell ${cell}: ${sum}`;
  if (!state.playing) parts.spoken.textContent = state.stepText;
  outline(grids.input, top, left, 2, 2, "ex-window");
  if (header.poolKind === "max") {
    const chosen = [arrays.chosen[2 * step], arrays.chosen[2 * step + 1]];
    outline(grids.input, top + chosen[0], left + chosen[1], 1, 1, "ex-chosen");
  }
  outline(grids.output, outRow, outCol, 1, 1, "ex-current");
  state.shown = step;
}

// ---- The player: steps in reading order at the chosen speed ------------------------------------------

function markDone(state, step) {
  // Output cells the stepper has not reached are blank.
  const cells = state.grids.output.cells;
  const from = Math.min(state.done, step);
  const to = Math.max(state.done, step);
  for (let i = from + 1; i <= to; i++) {
    const reached = i <= step;
    cells[i].textContent = reached ? state.grids.labels[i] : "";
    cells[i].classList.toggle("ex-not-yet", !reached);
  }
  state.done = step;
}

function go(state, step) {
  const target = Math.max(0, Math.min(state.count - 1, step));
  if (state.view !== "inspect") {
    markDone(state, target);
    state.controls.scrub.value = String(target + 1);
  }
  state.show(state, target);
  if (state.view !== "inspect") {
    state.controls.position.textContent = state.stepText;
    reportWhenResting(state);
    if (state.scrollOnStep) keepInSight(state);
  }
}

function keepInSight(state) {
  // A step the learner made: its window (the filter's, or the 2 x 2 block pooled) is brought into
  // sight if it is not, scrolling as little as needed; a phone's narrow screen keeps the controls near.
  const current = state.root.querySelector(".ex-window, .ex-block, .ex-current");
  if (!current) return;
  const box = current.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) current.scrollIntoView({ block: "nearest" });
}

function reportWhenResting(state) {
  // The step the stepper rests on goes to Python (one rerun), so that the page's link holds it.
  clearTimeout(state.restTimer);
  const grids = state.grids;
  state.restTimer = setTimeout(() => {
    // Only the stepper that set this timer, still on screen, reports (not a view built since).
    if (state.grids !== grids || !grids.input.box.isConnected) return;
    if (state.playing || state.shown === state.reported) return;
    state.reported = state.shown;
    state.setStateValue("step", state.shown);
  }, REST_MS);
}

function play(state) {
  if (state.shown >= state.count - 1) go(state, 0);
  state.playing = true;
  state.parts.spoken.setAttribute("aria-live", "off");
  state.controls.play.textContent = "Pause";
  const startStep = state.shown;
  const startTime = performance.now();
  const tick = (now) => {
    if (!state.playing || !state.grids.input.box.isConnected) return;
    const target = startStep + Math.floor(((now - startTime) * state.speed) / 1000);
    if (target !== state.shown) go(state, target);
    if (state.shown >= state.count - 1) pause(state);
    else state.frame = requestAnimationFrame(tick);
  };
  state.frame = requestAnimationFrame(tick);
}

function pause(state) {
  state.playing = false;
  cancelAnimationFrame(state.frame);
  state.controls.play.textContent = "Play";
  state.parts.spoken.setAttribute("aria-live", "polite");
  go(state, state.shown);
}

function buildControls(root, state) {
  const bar = element("div", "ex-controls", root);
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Stepper");
  const button = (label, title, action) => {
    const node = element("button", "ex-button", bar, label);
    node.type = "button";
    node.title = title;
    node.addEventListener("click", () => {
      if (state.playing && node !== controls.play) pause(state);
      action();
    });
    return node;
  };
  const controls = {};
  controls.start = button("Start", "First step (Home)", () => go(state, 0));
  controls.back = button("◀ Back", "Previous step (← or Page Up)", () => go(state, state.shown - 1));
  controls.play = button("Play", "Play or pause (Space)", () => (state.playing ? pause(state) : play(state)));
  controls.play.classList.add("ex-primary");
  controls.next = button("Next ▶", "Next step (→ or Page Down)", () => go(state, state.shown + 1));
  controls.end = button("End", "Last step (End)", () => go(state, state.count - 1));
  const speedLabel = element("label", "ex-speed", bar, "Speed ");
  controls.speed = element("select", "", speedLabel);
  for (const speed of SPEEDS) element("option", "", controls.speed, `${speed} steps/s`).value = String(speed);
  controls.speed.value = String(state.speed);
  controls.speed.addEventListener("change", () => {
    state.speed = Number(controls.speed.value);
    if (state.playing) {
      pause(state);
      play(state);
    }
  });
  controls.scrub = element("input", "ex-scrub", root);
  controls.scrub.type = "range";
  controls.scrub.min = "1";
  controls.scrub.max = String(state.count);
  controls.scrub.setAttribute("aria-label", "Step");
  controls.scrub.addEventListener("input", () => {
    if (state.playing) pause(state);
    go(state, Number(controls.scrub.value) - 1);
  });
  controls.position = element("p", "ex-position", root);
  return controls;
}

// ---- Putting it together ----------------------------------------------------------------------------

function build(root, model, view, width) {
  root.innerHTML = "";
  const state = root.state || { speed: 2 };
  clearTimeout(state.restTimer);
  root.state = state;
  outlineStyle(root, model.header.style);
  Object.assign(state, { model, view, root, playing: false, shown: 0, done: 0, started: false });
  const convolution = model.header.kind === "convolution";
  state.show = convolution ? showConvolution : showPooling;
  state.count = convolution ? model.header.region.rows * model.header.region.cols : model.arrays.pooled.length;
  const layout = element("div", "ex", root);
  const left = element("div", "ex-left", layout);
  if (view !== "inspect") state.controls = buildControls(left, state);
  state.grids = (convolution ? buildConvolution : buildPooling)(left, model, width);
  state.parts = buildExplanation(layout);
  if (model.header.projector && view !== "inspect") {
    // On a projector the step's sentence sits with the explanation, so the grids start high.
    state.parts.explain.insertBefore(state.controls.position, state.parts.heading);
  }
  if (!convolution) {
    for (const name of ["window", "kernel", "products"]) state.parts[name].caption.parentElement.hidden = true;
    for (const name of ["weight", "mapping", "pooled"]) state.parts[name].hidden = true;
  }
  state.parts.hint = element(
    "p",
    "ex-hint",
    state.parts.explain,
    view === "inspect"
      ? "Hover or touch a pixel of either grid, or use the arrow keys; click or Enter pins it."
      : "Keys on the grid: ← → or Page Up / Page Down step, Space plays, Home / End jump.",
  );
  if (view !== "inspect") {
    state.done = state.count - 1;
    markDone(state, -1);
  }
  listen(state);
  return state;
}

function listen(state) {
  const { input, output } = state.grids;
  const convolution = state.model.header.kind === "convolution";
  const indexIn = (event, gridParts) => {
    const cell = event.target.closest ? event.target.closest(".ex-cell") : null;
    if (!cell) return null;
    const index = Number(cell.dataset.index);
    if (gridParts === output) return index;
    // An input cell stands for the output pixel whose window it centres (clamped to the region).
    const { rows, cols } = state.model.header.region;
    const row = Math.max(0, Math.min(rows - 1, Math.floor(index / input.cols) - 1));
    const col = Math.max(0, Math.min(cols - 1, (index % input.cols) - 1));
    return row * cols + col;
  };
  if (state.view === "inspect" && convolution) {
    for (const gridParts of [input, output]) {
      gridParts.box.addEventListener("pointermove", (event) => {
        const index = indexIn(event, gridParts);
        if (index !== null && index !== state.shown) showConvolution(state, index);
      });
      gridParts.box.addEventListener("click", (event) => {
        const index = indexIn(event, gridParts);
        if (index !== null) pin(state, index);
      });
    }
    output.box.addEventListener("pointerleave", () => showConvolution(state, state.pinnedIndex()));
  } else if (convolution) {
    output.box.addEventListener("click", (event) => {
      const index = indexIn(event, output);
      if (index !== null) {
        if (state.playing) pause(state);
        go(state, index);
      }
    });
  }
  const onKey = (event) => {
    const key = event.key;
    if (state.view === "inspect") {
      const { rows, cols } = state.model.header.region;
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      if (key === "Enter" || key === " ") pin(state, state.shown);
      else if (moves[key]) {
        const row = Math.min(rows - 1, Math.max(0, Math.floor(state.shown / cols) + moves[key][0]));
        const col = Math.min(cols - 1, Math.max(0, (state.shown % cols) + moves[key][1]));
        showConvolution(state, row * cols + col);
      } else return;
    } else {
      const steps = { ArrowLeft: -1, ArrowRight: 1, PageUp: -1, PageDown: 1, ArrowUp: -1, ArrowDown: 1 };
      if (key === " " || key === "k") state.playing ? pause(state) : play(state);
      else if (key === "Home") go(state, 0);
      else if (key === "End") go(state, state.count - 1);
      else if (steps[key]) {
        if (state.playing) pause(state);
        go(state, state.shown + steps[key]);
      } else return;
    }
    event.preventDefault();
    event.stopPropagation();
  };
  (state.view === "inspect" ? output : input).box.addEventListener("keydown", onKey);
  if (window.explorerPageKeys) document.removeEventListener("keydown", window.explorerPageKeys);
  window.explorerPageKeys = null;
  if (state.view === "inspect") return;
  state.controls.play.parentElement.addEventListener("keydown", (event) => {
    if (STEP_KEYS.includes(event.key) && event.key !== " ") onKey(event);
  });
  // A presentation clicker types Page Down / Page Up wherever the focus is: the steppers take those
  // keys (and arrows, Space, Home, End) on the whole page, unless a field, list or button has focus.
  window.explorerPageKeys = (event) => {
    if (!input.box.isConnected) {
      document.removeEventListener("keydown", window.explorerPageKeys);
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || !STEP_KEYS.includes(event.key)) {
      return;
    }
    // Page Up / Page Down step unless a field has focus; arrows, Home, End and Space also leave
    // buttons, radios, tabs and lists their own meaning.
    const target = event.composedPath()[0];
    const inside = (selector) => Boolean(target && target.closest && target.closest(selector));
    const paging = event.key === "PageUp" || event.key === "PageDown";
    if (inside(TYPING) || (!paging && inside(TAKES_KEYS))) return;
    onKey(event);
  };
  document.addEventListener("keydown", window.explorerPageKeys);
}

function reveal(state) {
  // Opened from a button (the lecture's example, another view): scroll as little as needed to show
  // the grid being explained and its key line; a stepper shows its controls, grids and sum at once.
  requestAnimationFrame(() => {
    const sum = state.parts.sum;
    if (state.view !== "inspect") {
      if (sum.getBoundingClientRect().bottom > window.innerHeight) state.root.scrollIntoView({ block: "start" });
      return;
    }
    state.grids.output.box.scrollIntoView({ block: "nearest" });
    sum.scrollIntoView({ block: "nearest" });
  });
}

function pin(state, index) {
  const texts = convolutionTexts(state.model, index);
  state.pinned = [texts.row, texts.col];
  showConvolution(state, index);
  state.setTriggerValue("pinned", state.pinned);
}

export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  let root = parentElement.querySelector(".ex-root");
  if (!root) root = element("div", "ex-root", parentElement);
  const model = unpack(data);
  const { view, pinned, key, projector } = model.header;
  let state = root.state;
  if (!state || root.dataKey !== `${key}/${view}/${projector}`) {
    root.dataKey = `${key}/${view}/${projector}`;
    root.classList.toggle("ex-projector", projector);
    state = build(root, model, view, root.getBoundingClientRect().width || 800);
    if (model.header.reveal) reveal(state);
  }
  state.setTriggerValue = setTriggerValue;
  state.setStateValue = setStateValue;
  state.pinned = pinned;
  const { top, left, cols } = model.header.region;
  state.pinnedIndex = () => (state.pinned[0] - top) * cols + (state.pinned[1] - left);
  if (view === "inspect") showConvolution(state, state.pinnedIndex());
  else if (!state.started) {
    state.started = true;
    state.reported = model.header.step;
    go(state, model.header.step);
    state.scrollOnStep = true; // from now on every step is the learner's
  }
}
