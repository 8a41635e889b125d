import type { FrameKind } from '../common/callTree';
import { flatten, fromHsl, parseCssColour, readableTextColour, relativeLuminance, shiftLightness, toHex, type Rgba } from './colourMath';

/** A frame's fill and the label colour that reads on it, both as #rrggbb. */
export interface FrameColour {
  fill: string;
  text: string;
}

/**
 * Which theme variable colours each kind of frame, and the colour used when the variable is missing (a plain
 * browser, or a theme that leaves it out). Your own code gets the warmest colour because it is what you act on;
 * the fallbacks are VS Code's Dark Modern chart colours.
 */
const KIND_COLOURS: Record<FrameKind, { variable: string; fallback: string }> = {
  root: { variable: '--vscode-charts-lines', fallback: '#808080' },
  user: { variable: '--vscode-charts-orange', fallback: '#d18616' },
  dependency: { variable: '--vscode-charts-yellow', fallback: '#cca700' },
  runtime: { variable: '--vscode-charts-blue', fallback: '#3794ff' },
  native: { variable: '--vscode-charts-purple', fallback: '#b180d7' },
  program: { variable: '--vscode-charts-green', fallback: '#89d185' },
  idle: { variable: '--vscode-disabledForeground', fallback: '#8b8b8b' },
  gc: { variable: '--vscode-charts-red', fallback: '#f14c4c' },
};

/** How far (in HSL lightness) neighbouring frames of one kind may differ, so their edges stay visible. */
const LIGHTNESS_SPREAD = 0.08;

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** VS Code marks the theme kind with a class on <body>; a plain browser has none and gets the dark look. */
export function currentThemeKind(body: HTMLElement = document.body): ThemeKind {
  const classes = body.classList;
  if (classes.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (classes.contains('vscode-high-contrast')) return 'high-contrast';
  if (classes.contains('vscode-light')) return 'light';
  return 'dark';
}

const FALLBACK_BACKGROUNDS: Record<ThemeKind, string> = {
  light: '#ffffff',
  dark: '#1e1e1e',
  'high-contrast': '#000000',
  'high-contrast-light': '#ffffff',
};

/**
 * The frame colours of the current theme. Built once per theme (theme variables are read from the computed
 * style, which is slow to query per frame) and memoised per frame, since a redraw asks for every visible frame.
 */
export class FramePalette {
  private readonly base = new Map<FrameKind, Rgba>();
  private readonly memo = new Map<string, FrameColour>();
  private readonly dimmedMemo = new Map<string, FrameColour>();
  private readonly sourceMemo = new Map<string, FrameColour>();
  private readonly background: Rgba;

  constructor(readVariable: (name: string) => string, themeKind: ThemeKind) {
    const background =
      parseCssColour(readVariable('--vscode-editor-background')) ?? parseCssColour(FALLBACK_BACKGROUNDS[themeKind])!;
    const opaqueBackground = flatten(background, parseCssColour(FALLBACK_BACKGROUNDS[themeKind])!);
    this.background = opaqueBackground;
    for (const [kind, { variable, fallback }] of Object.entries(KIND_COLOURS) as [FrameKind, { variable: string; fallback: string }][]) {
      const colour = parseCssColour(readVariable(variable)) ?? parseCssColour(fallback)!;
      // Some theme colours are translucent (disabledForeground is, in the default themes): flatten them onto
      // the editor background so the fill and the contrast computed for its label match what is on screen.
      this.base.set(kind, flatten(colour, opaqueBackground));
    }
  }

  /** Reads the theme from the page as VS Code sets it up: variables on <html>, theme kind on <body>. */
  static fromDocument(): FramePalette {
    const style = getComputedStyle(document.documentElement);
    return new FramePalette(name => style.getPropertyValue(name), currentThemeKind());
  }

  colourFor(kind: FrameKind, name: string): FrameColour {
    const key = `${kind}\u0000${name}`;
    let colour = this.memo.get(key);
    if (!colour) {
      // The same name always gets the same shade, so a function looks alike wherever it appears.
      const shade = (nameHash(name) / 0xffffffff - 0.5) * 2 * LIGHTNESS_SPREAD;
      const fill = shiftLightness(this.base.get(kind)!, shade);
      colour = { fill: toHex(fill), text: toHex(readableTextColour(fill)) };
      this.memo.set(key, colour);
    }
    return colour;
  }

  /**
   * A colour per package or file (`sourceGroup`): the same group always gets the same hue, and the lightness suits
   * the theme's background so labels stay readable. Used when frames are coloured by where their code lives.
   */
  colourForSource(group: string): FrameColour {
    let colour = this.sourceMemo.get(group);
    if (!colour) {
      const dark = relativeLuminance(this.background) < 0.4;
      const fill = fromHsl((nameHash(group) % 360) / 360, 0.55, dark ? 0.42 : 0.62);
      colour = { fill: toHex(fill), text: toHex(readableTextColour(fill)) };
      this.sourceMemo.set(group, colour);
    }
    return colour;
  }

  /** The colour of a frame a search did not match: its own colour faded most of the way into the background. */
  dimmedFor(kind: FrameKind, name: string, own: FrameColour = this.colourFor(kind, name)): FrameColour {
    const key = `${own.fill}`;
    let colour = this.dimmedMemo.get(key);
    if (!colour) {
      const fillOwn = parseCssColour(own.fill)!;
      const fill = flatten({ ...fillOwn, a: 0.3 }, this.background);
      colour = { fill: toHex(fill), text: toHex(readableTextColour(fill)) };
      this.dimmedMemo.set(key, colour);
    }
    return colour;
  }
}

/**
 * Where a frame's code lives, for colouring by source: the npm package for code under node_modules (scoped names
 * kept whole), Node's built-ins as one group, otherwise the file; frames without a file group by their kind.
 */
export function sourceGroup(url: string, kind: FrameKind): string {
  if (url === '') return `(${kind})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node:';
  return url;
}

/** FNV-1a: cheap, and spreads similar names (parseA, parseB) apart. */
export function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
