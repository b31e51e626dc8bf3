/** Hides passwords in URLs (`postgres://user:***@`) and in key=value connection strings. */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^\s/]*@/gi, '$1:***@')
    .replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1***');
}
