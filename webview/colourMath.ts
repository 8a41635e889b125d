/**
 * Small colour arithmetic for theme colours: VS Code hands the webview its theme as CSS colour strings, and
 * frames need variations of them and a label colour that stays readable on each.
 */

/** Channels 0–255 and alpha 0–1. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/**
 * Reads the colour forms VS Code writes into its `--vscode-*` variables (#rgb, #rgba, #rrggbb, #rrggbbaa,
 * rgb(), rgba()). Anything else yields undefined so the caller falls back to a default colour.
 */
export function parseCssColour(text: string): Rgba | undefined {
  const value = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(value)?.[1];
  if (hex) {
    const digits = hex.length <= 4 ? [...hex].map(d => d + d) : (hex.match(/../g) ?? []);
    const [r = 0, g = 0, b = 0, a = 255] = digits.map(d => parseInt(d, 16));
    return { r, g, b, a: a / 255 };
  }
  const functional = /^rgba?\(([^)]*)\)$/.exec(value)?.[1];
  if (functional) {
    const parts = functional.split(/[\s,/]+/).filter(part => part !== '');
    if (parts.length < 3 || parts.length > 4) return undefined;
    const channel = (part: string, scale: number) =>
      part.endsWith('%') ? (parseFloat(part) / 100) * scale : parseFloat(part);
    const [r, g, b] = parts.slice(0, 3).map(part => channel(part, 255));
    const a = parts[3] === undefined ? 1 : channel(parts[3], 1);
    if ([r, g, b, a].some(n => n === undefined || !Number.isFinite(n))) return undefined;
    return { r: clamp(r!, 0, 255), g: clamp(g!, 0, 255), b: clamp(b!, 0, 255), a: clamp(a, 0, 1) };
  }
  return undefined;
}

/** Composes a translucent colour over an opaque background, as the screen would show it. */
export function flatten(colour: Rgba, background: Rgba): Rgba {
  const a = colour.a;
  return {
    r: colour.r * a + background.r * (1 - a),
    g: colour.g * a + background.g * (1 - a),
    b: colour.b * a + background.b * (1 - a),
    a: 1,
  };
}

/** Moves a colour's HSL lightness by `delta` (−1…1), keeping hue and saturation. */
export function shiftLightness(colour: Rgba, delta: number): Rgba {
  const { h, s, l } = toHsl(colour);
  return { ...fromHsl(h, s, clamp(l + delta, 0, 1)), a: colour.a };
}

/** WCAG relative luminance of an opaque colour. */
export function relativeLuminance(colour: Rgba): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(colour.r) + 0.7152 * linear(colour.g) + 0.0722 * linear(colour.b);
}

/** WCAG contrast ratio (1–21) between two opaque colours. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

export const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 1 };
export const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 1 };

/** Black or white, whichever reads better on the given opaque background. */
export function readableTextColour(background: Rgba): Rgba {
  return contrastRatio(background, BLACK) >= contrastRatio(background, WHITE) ? BLACK : WHITE;
}

/** An opaque colour as #rrggbb, the form SVG fill attributes take everywhere. */
export function toHex(colour: Rgba): string {
  const hex = (channel: number) => Math.round(clamp(channel, 0, 255)).toString(16).padStart(2, '0');
  return `#${hex(colour.r)}${hex(colour.g)}${hex(colour.b)}`;
}

function toHsl({ r, g, b }: Rgba): { h: number; s: number; l: number } {
  const rn = r / 255;
  const gn = g / 255;
  const bn = b / 255;
  const max = Math.max(rn, gn, bn);
  const min = Math.min(rn, gn, bn);
  const l = (max + min) / 2;
  if (max === min) return { h: 0, s: 0, l };
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  let h: number;
  if (max === rn) h = (gn - bn) / d + (gn < bn ? 6 : 0);
  else if (max === gn) h = (bn - rn) / d + 2;
  else h = (rn - gn) / d + 4;
  return { h: h / 6, s, l };
}

/** An opaque colour from hue, saturation and lightness, each 0…1. */
export function fromHsl(h: number, s: number, l: number): Rgba {
  if (s === 0) return { r: l * 255, g: l * 255, b: l * 255, a: 1 };
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number) => {
    const tt = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    if (tt < 1 / 6) return p + (q - p) * 6 * tt;
    if (tt < 1 / 2) return q;
    if (tt < 2 / 3) return p + (q - p) * (2 / 3 - tt) * 6;
    return p;
  };
  return { r: channel(h + 1 / 3) * 255, g: channel(h) * 255, b: channel(h - 1 / 3) * 255, a: 1 };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
