// Types of scripts/demoWorkspace.mjs, for the editor tier's driver (test/editor/runEditorTests.ts), which builds the
// same demo workspace as `npm run demo`.

/** The folder in the clone that the workspace is copied from. */
export declare const demoSource: string;

export { demoBranches, demoLaunchConfiguration } from './demoNames.mjs';

/** The editor's user settings for the demo. */
export declare const demoUserSettings: Record<string, unknown>;

/** Whether every script URL in the workspace's profile names a file of the workspace. */
export declare function profileFits(workspace: string): boolean;

/** Records profiles/demo.cpuprofile again in the workspace, with its URLs relative to it. */
export declare function recordProfile(workspace: string, log?: (text: string) => void): void;

/** Creates the demo workspace (a git repository with `main` and `slower-report`) in `folder`; returns the folder. */
export declare function createDemoWorkspace(folder: string, options?: { log?: (text: string) => void }): string;
