// d3-selection is installed without its @types package. This declares only the calls the webview makes.
declare module 'd3-selection' {
  export interface Selection<GElement extends Element, Datum> {
    datum(): Datum;
    datum<NewDatum>(value: NewDatum): Selection<GElement, NewDatum>;
    call(callback: (selection: this) => void): this;
    select<Child extends Element>(selector: string): Selection<Child, Datum>;
    selectAll<Child extends Element, ChildDatum>(selector: string): Selection<Child, ChildDatum>;
    style(name: string, value: string | ((datum: Datum) => string)): this;
    attr(name: string, value: string | ((datum: Datum) => string)): this;
    node(): GElement | null;
  }

  export function select<GElement extends Element>(element: GElement): Selection<GElement, unknown>;
}
