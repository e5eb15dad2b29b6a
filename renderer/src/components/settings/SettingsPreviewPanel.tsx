import type { SettingsPreview } from '@contract';

const list = (names: string[]) => (names.length > 0 ? names.join(', ') : 'none');

/** What applying would change: the services touched and the lines of the compose file. */
export function SettingsPreviewPanel({ preview }: { preview: SettingsPreview }) {
  const { recreated, added, removed } = preview.services;
  const nothing =
    preview.diff.length === 0 && recreated.length + added.length + removed.length === 0;
  return (
    <section className="preview" aria-labelledby="preview-title">
      <h3 id="preview-title">What will change</h3>
      {nothing ? (
        <p>Nothing: these are the settings in use.</p>
      ) : (
        <>
          <ul className="preview-services">
            <li data-services="recreated">
              <strong>Restarted with the new settings:</strong> {list(recreated)}
            </li>
            <li data-services="added">
              <strong>Added:</strong> {list(added)}
            </li>
            <li data-services="removed">
              <strong>Removed:</strong> {list(removed)}
            </li>
          </ul>
          <details open={preview.diff.length <= 40}>
            <summary>Changes to the stack file ({preview.diff.length} lines)</summary>
            <pre className="diff" tabIndex={0} aria-label="Changes to the stack file">
              {preview.diff.map((line, index) => (
                <span key={index} className={line.op === '+' ? 'diff-add' : 'diff-del'}>
                  {line.op} {line.text}
                  {'\n'}
                </span>
              ))}
            </pre>
          </details>
        </>
      )}
    </section>
  );
}
