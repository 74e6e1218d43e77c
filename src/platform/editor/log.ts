import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** MLTrail's output channel (Output panel, "MLTrail"): index loads, store events, errors. */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('MLTrail', { log: true });
  return channel;
}
