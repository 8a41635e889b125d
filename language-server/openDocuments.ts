import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentFunction } from '../common/protocol/languageServerProtocol';
import { annotate, type FileAnnotations } from './annotations';
import type { CostCache, DocumentCosts } from './costCache';
import { LineTracker, type TextChange } from './lineTracker';

/** One open document: its text, how its lines moved since it was opened, the editor's functions in it. */
interface OpenDocument {
  document: TextDocument;
  /** The file path, or undefined for documents that are not files (untitled, virtual). */
  path: string | undefined;
  tracker: LineTracker;
  functions: readonly DocumentFunction[];
  /** The version `functions` were read at; undefined until the editor answered. */
  functionsVersion: number | undefined;
  annotations?: { key: string; value: FileAnnotations; costs: DocumentCosts };
}

/**
 * The documents the editor has open, kept in sync incrementally, each with its line tracker. Annotations are
 * computed on demand and kept until the costs, the text or the editor's functions change.
 */
export class OpenDocuments {
  private readonly documents = new Map<string, OpenDocument>();

  constructor(private readonly costs: CostCache) {}

  open(uri: string, languageId: string, version: number, text: string): void {
    const document = TextDocument.create(uri, languageId, version, text);
    this.documents.set(uri, { document, path: pathOf(uri), tracker: new LineTracker(document.lineCount), functions: [], functionsVersion: undefined });
  }

  change(uri: string, version: number, changes: readonly ({ text: string } | TextChange)[]): void {
    const open = this.documents.get(uri);
    if (!open) return;
    for (const change of changes) {
      if ('range' in change) open.tracker.apply(change);
      // A whole-text replacement cannot be followed line by line: start again from the new text.
      else open.tracker = new LineTracker(TextDocument.create(uri, '', 0, change.text).lineCount);
    }
    open.document = TextDocument.update(open.document, [...changes], version);
  }

  close(uri: string): void {
    this.documents.delete(uri);
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri)?.document;
  }

  /** The document's file path, when it is a file. */
  path(uri: string): string | undefined {
    return this.documents.get(uri)?.path;
  }

  uris(): string[] {
    return [...this.documents.keys()];
  }

  setFunctions(uri: string, version: number, functions: readonly DocumentFunction[]): boolean {
    const open = this.documents.get(uri);
    if (!open || open.document.version !== version) return false;
    open.functions = functions;
    open.functionsVersion = version;
    return true;
  }

  functions(uri: string): readonly DocumentFunction[] {
    return this.documents.get(uri)?.functions ?? [];
  }

  /** The document's costs placed in its current text, or undefined when the profile has nothing for it. */
  annotations(uri: string): { annotations: FileAnnotations; costs: DocumentCosts } | undefined {
    const open = this.documents.get(uri);
    if (!open?.path) return undefined;
    const costs = this.costs.forDocument(open.path);
    if (!costs) return undefined;
    const key = `${this.costs.generation}:${open.document.version}:${open.functionsVersion ?? -1}`;
    if (open.annotations?.key !== key) {
      open.annotations = { key, value: annotate(costs.table, open.tracker, open.functions, open.document.lineCount, costs.context.total), costs };
    }
    return { annotations: open.annotations.value, costs: open.annotations.costs };
  }
}

function pathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri).replace(/\\/g, '/');
  } catch {
    return undefined;
  }
}
