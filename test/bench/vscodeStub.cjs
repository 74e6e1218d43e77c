// A stand-in for the `vscode` module, enough for activate() to run in plain Node: the benchmark measures
// MLTrail's own activation work (loading its bundle, registering views and commands), not VS Code's.
const path = require('node:path');

const noop = () => disposable;
const disposable = { dispose() {} };
const event = () => disposable;

function anything() {
  const target = function () {};
  return new Proxy(target, {
    get: (_, key) => (key === 'then' ? undefined : key === Symbol.iterator ? undefined : key === 'dispose' ? () => {} : anything()),
    apply: () => anything(),
    construct: () => anything(),
  });
}

class EventEmitter {
  constructor() {
    this.event = event;
  }
  fire() {}
  dispose() {}
}

function uri(fsPath) {
  return { fsPath, path: fsPath, scheme: 'file', toString: () => `file://${fsPath}` };
}

module.exports = function createStub(folder) {
  const workspaceFolder = { uri: uri(folder), name: path.basename(folder), index: 0 };
  const watcher = { onDidCreate: event, onDidChange: event, onDidDelete: event, dispose() {} };
  return new Proxy(
    {
      EventEmitter,
      Uri: { file: uri, joinPath: (base, ...parts) => uri(path.join(base.fsPath, ...parts)) },
      RelativePattern: class {},
      ThemeIcon: class { static Folder = {}; },
      ThemeColor: class {},
      TreeItem: class {},
      workspace: {
        workspaceFolders: [workspaceFolder],
        createFileSystemWatcher: () => watcher,
        onDidChangeWorkspaceFolders: event,
        onDidChangeConfiguration: event,
        getConfiguration: () => ({ get: (_key, fallback) => fallback }),
      },
      window: {
        createTreeView: () => ({ dispose() {} }),
        registerTreeDataProvider: noop,
        registerWebviewPanelSerializer: noop,
        createOutputChannel: () => anything(),
      },
      commands: { registerCommand: noop, executeCommand: () => Promise.resolve() },
      languages: { createDiagnosticCollection: () => ({ set() {}, delete() {}, dispose() {} }) },
    },
    { get: (target, key) => (key in target ? target[key] : anything()) },
  );
};
