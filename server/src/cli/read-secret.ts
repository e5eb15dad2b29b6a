/**
 * Reads one line from stdin for a secret: from a pipe as is, from a terminal without echo.
 * The value is never printed.
 */
export async function readSecretLine(
  stdin: NodeJS.ReadStream,
  prompt: (text: string) => void,
  label: string,
): Promise<string> {
  if (stdin.isTTY) return readFromTerminal(stdin, prompt, label);
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) {
    text += chunk as string;
    if (text.includes('\n')) break;
  }
  return (text.split(/\r?\n/)[0] ?? '').trimEnd();
}

function readFromTerminal(
  stdin: NodeJS.ReadStream,
  prompt: (text: string) => void,
  label: string,
): Promise<string> {
  prompt(label);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
