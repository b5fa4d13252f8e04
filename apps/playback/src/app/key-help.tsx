/** The keys, where a user looks for them: next to the position. */
export function KeyHelp({ differences = false }: { differences?: boolean }) {
  return (
    <p className="key-help dim" data-testid="key-help">
      <kbd>←</kbd>
      <kbd>→</kbd> step · <kbd>f</kbd>/<kbd>F</kbd> next/previous failure
      {differences && (
        <>
          {' '}
          · <kbd>n</kbd>/<kbd>N</kbd> next/previous difference
        </>
      )}{' '}
      · <kbd>space</kbd> play · link: <code>#step=N</code>
    </p>
  );
}
