// A horizontal bar chart as inline SVG, drawn in the browser with the page's (CJK) fonts: no
// chart library, no image from the server. Accessible: role="img" with a summary, and the
// figures stay in the table beside it.
const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

/** rows: [{label, value (0–100 or null)}], best first. */
export function barChart(rows, { title, width = 640, max = 100 } = {}) {
  const bar = 26;
  const labelWidth = 190;
  const height = rows.length * (bar + 8) + 30;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": title, class: "chart" });
  svg.append(el("title", {}, title));
  const span = width - labelWidth - 60;
  rows.forEach((row, i) => {
    const y = 10 + i * (bar + 8);
    svg.append(el("text", { x: labelWidth - 8, y: y + bar * 0.7, "text-anchor": "end", "font-size": 14, fill: "#1a1a1a" }, row.label));
    if (row.value === null || row.value === undefined) {
      svg.append(el("text", { x: labelWidth + 4, y: y + bar * 0.7, "font-size": 13, fill: "#4a4a4a" }, "无可评职责"));
      return;
    }
    const w = Math.max(2, (span * row.value) / max);
    svg.append(el("rect", { x: labelWidth, y, width: w, height: bar, fill: row.value < 60 ? "#a4161a" : "#0b4f8a" }));
    svg.append(el("text", { x: labelWidth + w + 6, y: y + bar * 0.7, "font-size": 13, fill: "#1a1a1a" }, row.value.toFixed(1)));
  });
  return svg;
}
