import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).map((file) => path.join(dir, file));
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((match) => match[1] as string);
}

const isEditorLayer = (file: string) => file.split(path.sep).includes('editor') || file === path.join('src', 'extension.ts');

describe('architecture', () => {
  it('keeps the VS Code API out of the core: only editor/ folders and extension.ts import vscode', () => {
    const offenders = sources('src').filter((file) => !isEditorLayer(file) && importsOf(file).includes('vscode'));
    assert.deepEqual(offenders, []);
  });

  it('keeps the core out of the editor layer: core modules never import editor modules', () => {
    const offenders = sources('src').filter((file) => !isEditorLayer(file) && importsOf(file).some((specifier) => specifier.includes('/editor/')));
    assert.deepEqual(offenders, []);
  });

  it('lets webviews import only Node-free modules of src/', () => {
    const allowed = new Set<string>();
    for (const file of sources('webviews')) {
      for (const specifier of importsOf(file).filter((specifier) => specifier.includes('/src/'))) {
        allowed.add(path.normalize(path.join(path.dirname(file), specifier)));
      }
    }
    for (const file of allowed) {
      const nodeImports = importsOf(file).filter((specifier) => specifier.startsWith('node:') || specifier === 'vscode');
      assert.deepEqual(nodeImports, [], `${file} is bundled into a webview`);
    }
    assert.ok(allowed.size > 0);
  });

  it('bundles every contributed command, and every registered command is contributed', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { commands: Array<{ command: string; title: string; category: string }> } };
    const contributed = manifest.contributes.commands.map((command) => command.command).sort();
    const registered = sources('src')
      .flatMap((file) => [...fs.readFileSync(path.join(root, file), 'utf8').matchAll(/registerCommand\('([^']+)'/g)].map((match) => match[1] as string))
      .sort();
    assert.deepEqual(registered, contributed);
    for (const command of manifest.contributes.commands) assert.equal(command.category, 'MLTrail', command.command);
  });
});

describe('manifest', () => {
  it('tests the mltrail.storeState context key only against values the extension sets', async () => {
    const { STORE_STATES } = await import('../../src/workspace/storeState.ts');
    const manifest = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
    const tested = [...manifest.matchAll(/mltrail\.storeState\s*[!=]=\s*([\w-]+)/g)].map((match) => match[1] as string);
    assert.ok(tested.length >= 5, 'the manifest tests the key');
    assert.deepEqual(tested.filter((value) => !(STORE_STATES as readonly string[]).includes(value)), []);
  });

  it('names only context keys the extension sets', () => {
    const whens: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') for (const [key, inner] of Object.entries(value)) key === 'when' && typeof inner === 'string' ? whens.push(inner) : collect(inner);
    };
    collect((JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: unknown }).contributes);
    // Context keys are the operands on the left of a comparison, or standalone; ids on the right are values.
    const keys = new Set(whens.flatMap((when) => [...when.matchAll(/(?:^|&&|\|\||!)\s*(mltrail\.[A-Za-z]+)/g)].map((match) => match[1] as string)));
    assert.deepEqual([...keys].sort(), ['mltrail.runsFiltered', 'mltrail.storeState']);
    const code = sources('src').map((file) => fs.readFileSync(path.join(root, file), 'utf8')).join('\n');
    for (const key of keys) assert.ok(code.includes(`'setContext', '${key}'`), key);
  });
});
