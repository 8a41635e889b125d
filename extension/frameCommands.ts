import * as vscode from 'vscode';

/** What the flame graph and the function table put on each frame for VS Code's webview context menu. */
interface FrameContext {
  icicleFunction?: unknown;
  icicleFile?: unknown;
}

/**
 * Commands of the flame graph's context menu (`webview/context` in package.json): VS Code passes them the
 * `data-vscode-context` of the element right-clicked (webview/flameGraphView.ts, frameContext). The values come
 * from a profile, so they are checked to be strings and only ever copied as text.
 */
export function registerFrameCommands(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('icicle.copyFunctionName', async (context?: FrameContext) => {
      if (typeof context?.icicleFunction !== 'string') return false;
      await vscode.env.clipboard.writeText(context.icicleFunction);
      return true;
    }),
    vscode.commands.registerCommand('icicle.copyFilePath', async (context?: FrameContext) => {
      if (typeof context?.icicleFile !== 'string' || context.icicleFile === '') return false;
      await vscode.env.clipboard.writeText(context.icicleFile);
      return true;
    }),
  );
}
