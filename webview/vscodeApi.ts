import type { FromWebviewMessage } from '../common/protocol/webviewProtocol';

/** The object VS Code injects into webviews; it may be acquired only once per page. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's only way to talk to the extension host: typed messages out, and a state that survives reloads. */
export interface HostConnection<Message = FromWebviewMessage> {
  post(message: Message): void;
  /** The state saved by an earlier page of this webview, or undefined; untrusted shape, validate before use. */
  getState(): unknown;
  setState(state: unknown): void;
}

let connection: HostConnection<unknown> | undefined;

/**
 * Acquires the VS Code API on first use; later calls share it, because a second acquire throws. `Message` is the
 * page's protocol: the flame graph's by default, the compare panel's there.
 */
export function hostConnection<Message = FromWebviewMessage>(): HostConnection<Message> {
  if (!connection) {
    const api = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : standIn();
    connection = {
      post: message => api.postMessage(message),
      getState: () => api.getState(),
      setState: state => api.setState(state),
    };
  }
  return connection as HostConnection<Message>;
}

/**
 * Opened as a plain page (a designer previewing the bundle), there is no host: keep state in memory and drop
 * messages, so the page still works instead of failing at load.
 */
function standIn(): VsCodeApi {
  console.warn('Icicle: acquireVsCodeApi is missing; messages to the extension are dropped.');
  let state: unknown;
  return {
    postMessage: () => undefined,
    getState: () => state,
    setState: value => {
      state = value;
    },
  };
}
