import * as vscode from 'vscode';
import type { DocumentFunction } from '../../common/protocol/languageServerProtocol';

/** Symbol kinds that are code a profile can charge time to. */
const FUNCTION_KINDS = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor]);

/**
 * The functions the editor's language support finds in a document, flattened with their containers' names
 * (`Parser.parse`), for the language server's function spans. Languages without a symbol provider give none.
 */
export async function documentFunctions(uri: string): Promise<DocumentFunction[]> {
  const symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>(
    'vscode.executeDocumentSymbolProvider',
    vscode.Uri.parse(uri, true),
  );
  const out: DocumentFunction[] = [];
  const visit = (symbol: vscode.DocumentSymbol, container: string | undefined): void => {
    const name = container && symbol.kind === vscode.SymbolKind.Method ? `${container}.${symbol.name}` : symbol.name;
    if (FUNCTION_KINDS.has(symbol.kind)) {
      out.push({ name: name.slice(0, 10_000), startLine: symbol.range.start.line, endLine: symbol.range.end.line, nameLine: symbol.selectionRange.start.line });
    }
    for (const child of symbol.children ?? []) visit(child, symbol.kind === vscode.SymbolKind.Class ? symbol.name : container);
  };
  for (const symbol of symbols ?? []) {
    // Old-style providers answer SymbolInformation: a location, no children.
    if ('location' in symbol) {
      if (FUNCTION_KINDS.has(symbol.kind)) {
        const range = symbol.location.range;
        out.push({ name: symbol.name.slice(0, 10_000), startLine: range.start.line, endLine: range.end.line, nameLine: range.start.line });
      }
    } else visit(symbol, undefined);
  }
  return out.slice(0, 100_000);
}
