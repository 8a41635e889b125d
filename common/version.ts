/**
 * Protocol versions. Each process boundary carries its own version in its handshake; a peer that speaks
 * another version is refused with a message that tells the user to reload, instead of failing later on a
 * message it cannot read. Bump a version whenever a message of that protocol changes shape.
 */
export const AGENT_PROTOCOL_VERSION = 11;
export const LANGUAGE_SERVER_PROTOCOL_VERSION = 2;
export const WEBVIEW_PROTOCOL_VERSION = 7;
