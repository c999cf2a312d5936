// Hand-written SVG charts. Each has a text alternative (aria-label) and the figures are also shown as text nearby.
import { s, count } from './dom.js';

const ACCENT = '#1d4ed8';
const MUTED = '#6b7280';

/**
 * A small trend line. A suppressed point is drawn as a grey bar from the baseline up to k ("somewhere below k"),
 * never as a zero on the line.
 */
export function sparkline(points, k, { width = 200, height = 40, label = 'Trend' } = {}) {
    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, class: 'sparkline' });
    if (!points.length) return svg;
    const max = Math.max(k, ...points.map((p) => p.cases ?? 0));
    const step = (width - 4) / points.length;
    const x = (i) => 2 + step * (i + 0.5);
    const y = (v) => height - 2 - ((height - 4) * v) / max;
    svg.append(s('line', { x1: 0, x2: width, y1: height - 2, y2: height - 2, stroke: '#cbd5e1' }));
    points.forEach((p, i) => {
        if (p.suppressed || p.cases === null) {
            svg.append(s('rect', { x: x(i) - step * 0.35, y: y(k), width: step * 0.7, height: height - 2 - y(k), fill: '#cbd5e1' }));
        }
    });
    let path = '';
    let pen = false;
    points.forEach((p, i) => {
        if (p.suppressed || p.cases === null) { pen = false; return; }
        path += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.cases).toFixed(1)}`;
        pen = true;
    });
    if (path) svg.append(s('path', { d: path, fill: 'none', stroke: ACCENT, 'stroke-width': 1.8 }));
    return svg;
}

/** A trend chart with axes; suppressed periods are drawn as hatched "< k" markers, never as zero. */
export function trendChart(points, k, { width = 640, height = 220, label = 'Cases per period' } = {}) {
    const pad = { left: 44, right: 12, top: 12, bottom: 40 };
    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart' });
    const max = Math.max(k, ...points.map((p) => p.cases ?? 0));
    const innerW = width - pad.left - pad.right;
    const innerH = height - pad.top - pad.bottom;
    const step = innerW / Math.max(points.length, 1);
    const y = (v) => pad.top + innerH - (innerH * v) / max;
    for (const tick of [0, Math.round(max / 2), max]) {
        svg.append(s('line', { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick), stroke: '#e5e7eb' }));
        svg.append(s('text', { x: pad.left - 6, y: y(tick) + 4, 'text-anchor': 'end', class: 'axis' }, String(tick)));
    }
    const labelEvery = Math.ceil(points.length / 6);
    points.forEach((p, i) => {
        const x = pad.left + i * step;
        const barW = Math.max(step - 2, 1);
        if (p.suppressed || p.cases === null) {
            svg.append(s('rect', { x: x + 1, y: y(k), width: barW, height: innerH - (y(k) - pad.top), fill: 'url(#hatch)', stroke: MUTED, 'stroke-dasharray': '2 2' },
                s('title', {}, `${p.period}: < ${k} cases`)));
        } else {
            svg.append(s('rect', { x: x + 1, y: y(p.cases), width: barW, height: pad.top + innerH - y(p.cases), fill: ACCENT },
                s('title', {}, `${p.period}: ${p.cases} cases`)));
        }
        if (i % labelEvery === 0) {
            svg.append(s('text', { x: x + step / 2, y: height - pad.bottom + 16, 'text-anchor': 'middle', class: 'axis' }, p.period));
        }
    });
    svg.prepend(s('defs', {}, s('pattern', { id: 'hatch', width: 4, height: 4, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
        s('line', { x1: 0, y1: 0, x2: 0, y2: 4, stroke: MUTED, 'stroke-width': 1 }))));
    return svg;
}

/** A horizontal bar scaled to [0, max]; the value is written beside it. */
export function bar(value, max, text, { color = ACCENT, width = 160 } = {}) {
    const w = Math.max(0, Math.min(1, value / max)) * width;
    return s('svg', { viewBox: `0 0 ${width} 12`, width, height: 12, 'aria-hidden': 'true', class: 'bar' },
        s('rect', { x: 0, y: 0, width, height: 12, fill: '#eef2f7' }),
        s('rect', { x: 0, y: 0, width: w, height: 12, fill: color }),
        s('title', {}, text));
}

/**
 * Origin → destination flows as a two-column Sankey: nodes on the left are origins, on the right destinations,
 * band widths are proportional to cases. A suppressed flow is a thin dashed band labelled "< k".
 */
export function flowDiagram(flows, k, { width = 720, label = 'Flows from origin to destination' } = {}) {
    const byKey = (list, key) => {
        const totals = new Map();
        for (const f of list) totals.set(f[key], (totals.get(f[key]) ?? 0) + (f.suppressed ? 0 : f.cases));
        return [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
    };
    const merged = new Map();
    for (const f of flows) {
        const id = `${f.origin}>${f.destination}`;
        const m = merged.get(id) ?? { origin: f.origin, destination: f.destination, cases: 0, suppressedParts: 0 };
        if (f.suppressed) m.suppressedParts++; else m.cases += f.cases;
        merged.set(id, m);
    }
    const links = [...merged.values()];
    const origins = byKey(links.map((l) => ({ ...l, suppressed: false })), 'origin');
    const destinations = byKey(links.map((l) => ({ ...l, suppressed: false })), 'destination');
    const minBand = 3;
    const scaleTotal = Math.max(1, links.reduce((a, l) => a + l.cases, 0));
    const gap = 10;
    const rows = Math.max(origins.length, destinations.length);
    const usable = Math.max(220, rows * 30);
    const scale = (v) => Math.max(minBand, (usable * v) / scaleTotal);
    const nodeW = 14;
    const left = 70;
    const right = width - 70 - nodeW;
    const svg = s('svg', { role: 'img', 'aria-label': label, class: 'chart flow' });

    const layout = (names, side) => {
        const nodes = new Map();
        let y = 10;
        for (const name of names) {
            const mine = links.filter((l) => l[side] === name);
            const size = mine.reduce((a, l) => a + (l.cases > 0 ? scale(l.cases) : minBand), 0);
            nodes.set(name, { y, size, offset: 0 });
            y += size + gap;
        }
        return nodes;
    };
    const o = layout(origins, 'origin');
    const d = layout(destinations, 'destination');
    const palette = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#9d174d', '#334155', '#c2410c'];
    const bottom = (nodes) => Math.max(0, ...[...nodes.values()].map((n) => n.y + n.size));
    svg.setAttribute('viewBox', `0 0 ${width} ${Math.max(bottom(o), bottom(d)) + 10}`);
    const color = new Map(origins.map((name, i) => [name, palette[i % palette.length]]));

    for (const l of [...links].sort((a, b) => b.cases - a.cases)) {
        const band = l.cases > 0 ? scale(l.cases) : minBand;
        const from = o.get(l.origin);
        const to = d.get(l.destination);
        const y0 = from.y + from.offset + band / 2;
        const y1 = to.y + to.offset + band / 2;
        from.offset += band;
        to.offset += band;
        const x0 = left + nodeW;
        const x1 = right;
        const mid = (x0 + x1) / 2;
        const shown = l.cases > 0 ? `${l.cases}${l.suppressedParts ? ` + < ${k}` : ''}` : `< ${k}`;
        svg.append(s('path', {
            d: `M${x0},${y0} C${mid},${y0} ${mid},${y1} ${x1},${y1}`,
            fill: 'none', stroke: color.get(l.origin), 'stroke-opacity': l.cases > 0 ? 0.45 : 0.5, 'stroke-width': l.cases > 0 ? band : 1.5,
            'stroke-dasharray': l.cases > 0 ? null : '4 3', class: 'flow-link',
        }, s('title', {}, `${l.origin} → ${l.destination}: ${shown} cases`)));
    }
    for (const [name, n] of o) {
        svg.append(s('rect', { x: left, y: n.y, width: nodeW, height: n.size, fill: color.get(name) }));
        svg.append(s('text', { x: left - 6, y: n.y + n.size / 2 + 4, 'text-anchor': 'end', class: 'node' }, name));
    }
    for (const [name, n] of d) {
        svg.append(s('rect', { x: right, y: n.y, width: nodeW, height: n.size, fill: '#334155' }));
        svg.append(s('text', { x: right + nodeW + 6, y: n.y + n.size / 2 + 4, class: 'node' }, name));
    }
    return svg;
}

export { count };
