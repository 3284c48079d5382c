() => {
  const parse = (text) => { const m = text.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const blend = (top, bottom) => { const a = top[3]; return [0,1,2].map(i => top[i]*a + bottom[i]*(1-a)).concat([1]); };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); }; return 0.2126*f(c[0]) + 0.7152*f(c[1]) + 0.0722*f(c[2]); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const app = document.querySelector('[data-testid="stApp"]');
  const page = parse(getComputedStyle(app).backgroundColor);
  const background = (el) => { const layers = []; for (let n = el; n && n !== document.documentElement; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } } let bg = page; for (let i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg); return bg; };
  const opacity = (el) => { let o = 1; for (let n = el; n; n = n.parentElement) o *= Number(getComputedStyle(n).opacity); return o; };
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('[data-testid="stMain"]') || document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim(); const el = node.parentElement;
    if (!text || !el) continue;
    const box = el.getBoundingClientRect(); const style = getComputedStyle(el);
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) || box.width === 0 || box.height === 0 || el.closest('[aria-hidden="true"], [disabled], [aria-disabled="true"], code, [data-testid=stSliderThumbValue]')) continue;
    const bg = background(el); const fg = parse(style.color); fg[3] *= opacity(el);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    out.push({ text: text.slice(0, 40), ratio: ratio(blend(fg, bg), bg), needed: large ? 3 : 4.5, where: el.outerHTML.slice(0, 160) });
  }
  return out;
}
