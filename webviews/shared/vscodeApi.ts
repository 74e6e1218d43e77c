interface VsCodeApi<Message, State> {
  postMessage(message: Message): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<Message, State>(): VsCodeApi<Message, State>;

/** The webview's channel to the extension host, typed by the panel's message contract. */
export function connect<ToHost, State>(): VsCodeApi<ToHost, State> {
  return acquireVsCodeApi<ToHost, State>();
}
