// Stylesheets are imported for their side effect only: esbuild collects them into out/webview/main.css.
declare module '*.css';
