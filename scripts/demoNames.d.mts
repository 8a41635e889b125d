// Types of scripts/demoNames.mjs.

/** The branches of the demo repository and the one function the second branch makes slower. */
export declare const demoBranches: {
  base: string;
  slower: string;
  slowedFunction: string;
  hotFunction: string;
};

/** The launch configuration's name in the workspace's .vscode/launch.json, which F5 and Compare Branches run. */
export declare const demoLaunchConfiguration: string;
