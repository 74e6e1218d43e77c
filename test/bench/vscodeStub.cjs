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

/** `members`, with anything else a namespace has answered by a harmless stand-in. */
function namespace(members) {
  return new Proxy(members, { get: (target, key) => (key in target ? target[key] : anything()) });
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
      StatusBarAlignment: { Left: 1, Right: 2 },
      TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
      ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
      MarkdownString: class {},
      Disposable: class { static from() { return disposable; } },
      ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
      CodeLens: class {},
      Range: class {},
      Position: class {},
      workspace: namespace({
        workspaceFolders: [workspaceFolder],
        isTrusted: true,
        createFileSystemWatcher: () => watcher,
        onDidChangeWorkspaceFolders: event,
        onDidChangeConfiguration: event,
        getConfiguration: () => ({ get: (_key, fallback) => fallback }),
      }),
      window: namespace({
        createTreeView: () => ({ dispose() {}, onDidChangeVisibility: event, onDidChangeSelection: event, visible: false }),
        registerTreeDataProvider: noop,
        registerWebviewPanelSerializer: noop,
        createOutputChannel: () => anything(),
        createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
      }),
      commands: { registerCommand: noop, executeCommand: () => Promise.resolve() },
      languages: namespace({ createDiagnosticCollection: () => ({ set() {}, delete() {}, dispose() {} }), registerCodeLensProvider: noop }),
    },
    { get: (target, key) => (key in target ? target[key] : anything()) },
  );
};
