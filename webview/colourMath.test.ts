/// <reference types="mocha" />
import { contrastRatio, flatten, parseCssColour, readableTextColour, shiftLightness, toHex, WHITE } from './colourMath';
import { assertEqual, assertTrue } from '../test/support/webviewAssertions';

describe('colourMath', () => {
  it('reads the colour forms VS Code theme variables use', () => {
    assertEqual(parseCssColour('#d18616'), { r: 209, g: 134, b: 22, a: 1 }, '#rrggbb');
    assertEqual(parseCssColour(' #FFF '), { r: 255, g: 255, b: 255, a: 1 }, '#rgb');
    assertEqual(parseCssColour('#cccccc80')?.a.toFixed(2), '0.50', '#rrggbbaa alpha');
    assertEqual(parseCssColour('rgba(0, 0, 0, 0.36)'), { r: 0, g: 0, b: 0, a: 0.36 }, 'rgba()');
    assertEqual(parseCssColour('rgb(10 20 30 / 50%)'), { r: 10, g: 20, b: 30, a: 0.5 }, 'space syntax');
    assertEqual(parseCssColour('var(--x)'), undefined, 'unknown form');
    assertEqual(parseCssColour(''), undefined, 'empty (a missing variable)');
  });

  it('flattens translucent colours onto the background and picks a readable label colour', () => {
    const grey = flatten(parseCssColour('#cccccc80')!, parseCssColour('#1e1e1e')!);
    assertEqual(toHex(grey), '#757575', 'flattened');
    for (const fill of ['#d18616', '#652d90', '#3794ff', '#000000', '#ffffff', '#e51400', '#cca700']) {
      const colour = parseCssColour(fill)!;
      assertTrue(contrastRatio(colour, readableTextColour(colour)) >= 4.5, `label on ${fill} has contrast 4.5`);
    }
    assertEqual(readableTextColour(parseCssColour('#652d90')!), WHITE, 'white on dark purple');
  });

  it('shifts lightness without changing the hue', () => {
    const lighter = shiftLightness(parseCssColour('#d18616')!, 0.1);
    assertTrue(lighter.r > 209 && lighter.g > 134 && lighter.b > 22, toHex(lighter));
  });
});
