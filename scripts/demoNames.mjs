// The names the demo workspace's README relies on, in a module of their own (no file system, no import.meta) so that
// the editor tier's demo walk, which is bundled into the extension host, can import them as well as the scripts that
// build the workspace (scripts/demoWorkspace.mjs).

/** The branches of the demo repository and the one function the second branch makes slower. */
export const demoBranches = {
  base: 'main',
  slower: 'slower-report',
  slowedFunction: 'formatReport',
  /** The hot function on both branches, the one the README hovers. */
  hotFunction: 'countPrimesNaive',
};

/** The launch configuration's name in the workspace's .vscode/launch.json, which F5 and Compare Branches run. */
export const demoLaunchConfiguration = 'Run the demo';
