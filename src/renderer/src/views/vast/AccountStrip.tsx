import { useState } from 'react';
import { asAppError } from '../../api';
import { money } from './format';
import { useVastStore } from './vast-store';
import { ErrorBanner } from '../../components/ErrorBanner';

/** Which account the calls go to (sandbox or real), its credit, and where the key comes from. */
export function AccountStrip() {
  const { account, accountError, secrets, importable } = useVastStore();
  const [keyFormOpen, setKeyFormOpen] = useState(false);

  const user = account?.user;
  return (
    <section className="vast-account" aria-label="Vast account">
      <div className="vast-account-row">
        {account === null ? (
          <span className="muted">{accountError ? 'No account reachable' : 'Checking the account…'}</span>
        ) : account.sandbox ? (
          <span className="vast-badge vast-badge-sandbox" title={account.server}>
            Sandbox — no money is spent
          </span>
        ) : (
          <span className="vast-badge vast-badge-real" title={account.server}>
            Vast account — real money
          </span>
        )}
        {user ? (
          <span className="vast-account-user">
            <span className="vast-account-email">
              {user.email ?? user.username ?? `user ${user.id ?? '?'}`}
            </span>
            <span className="muted">
              credit <strong className="vast-account-credit">{money(user.credit)}</strong>
            </span>
          </span>
        ) : null}
        {account && !account.sandbox ? (
          <span className="muted vast-account-server" title="The server the calls go to">
            {account.server}
          </span>
        ) : null}
        <span className="vast-spacer" />
        {account?.hasKey ? <ForgetKeyButton /> : null}
        <button type="button" aria-expanded={keyFormOpen} onClick={() => setKeyFormOpen((o) => !o)}>
          {account?.hasKey ? 'Replace API key' : 'Use my Vast API key'}
        </button>
      </div>
      <ErrorBanner message={accountError} />
      {secrets?.backend === 'none' ? <NoKeychainWarning warning={secrets.warning} /> : null}
      {secrets?.backend === 'plaintext' ? (
        <p className="muted vast-note">
          Keys are kept in a private file in the app's data folder (no OS keychain works here).
        </p>
      ) : null}
      {keyFormOpen ? (
        <div className="vast-key-forms">
          <KeyForm onDone={() => setKeyFormOpen(false)} />
          {importable ? <ImportKey onDone={() => setKeyFormOpen(false)} /> : null}
        </div>
      ) : null}
    </section>
  );
}

function KeyForm({ onDone }: { onDone: () => void }) {
  const setKey = useVastStore((s) => s.setKey);
  const noStore = useVastStore((s) => s.secrets?.backend === 'none');
  const [key, setKeyText] = useState('');
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setChecking(true);
    setError(null);
    try {
      await setKey(key.trim());
      setKeyText('');
      onDone();
    } catch (err) {
      setError(asAppError(err).message);
    } finally {
      setChecking(false);
    }
  };
  const tooShort = key.trim().length < 8;
  return (
    <form
      className="vast-key-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!tooShort) void submit();
      }}
    >
      <label className="field">
        Vast API key (from console.vast.ai → Account → Keys)
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKeyText(e.target.value)}
          placeholder="Paste the key; it is checked, then kept in the OS keychain"
        />
      </label>
      <button type="submit" className="primary" disabled={checking || tooShort}>
        {checking ? 'Checking the key…' : 'Check and save key'}
      </button>
      {noStore ? (
        <p className="muted vast-key-hint">
          No OS keychain here: choose “Store keys in a private file” above first, or the key cannot be kept.
        </p>
      ) : null}
      {error ? (
        <div className="banner banner-error vast-key-error" role="alert">
          <strong>The key was not saved.</strong> {error}
        </div>
      ) : null}
    </form>
  );
}

function ImportKey({ onDone }: { onDone: () => void }) {
  const { importable, importKey } = useVastStore();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!importable) return null;
  const where =
    importable.source === 'VAST_API_KEY' ? 'the VAST_API_KEY variable' : (importable.path ?? 'a file');
  return (
    <div className="vast-import">
      {!asking ? (
        <button type="button" onClick={() => setAsking(true)}>
          Import from the vast CLI
        </button>
      ) : (
        <div className="vast-consent" role="group" aria-label="Import the vast CLI's key">
          <p>
            The vast CLI has a key in <code>{where}</code> (ending <code>{importable.hint}</code>). Template
            Studio will check it with Vast and copy it into its own key store. Import it?
          </p>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              try {
                await importKey();
                onDone();
              } catch (err) {
                setError(asAppError(err).message);
              } finally {
                setBusy(false);
              }
            }}
          >
            {busy ? 'Checking the key…' : 'Yes, import this key'}
          </button>{' '}
          <button type="button" onClick={() => setAsking(false)} disabled={busy}>
            No
          </button>
        </div>
      )}
      {error ? (
        <div className="banner banner-error" role="alert">
          <strong>The key was not imported.</strong> {error}
        </div>
      ) : null}
    </div>
  );
}

function ForgetKeyButton() {
  const forgetKey = useVastStore((s) => s.forgetKey);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming)
    return (
      <button type="button" onClick={() => setConfirming(true)}>
        Forget key
      </button>
    );
  return (
    <span className="vast-inline-confirm" role="group" aria-label="Forget the Vast key">
      Remove the key from this computer? The app goes back to the sandbox.{' '}
      <button
        type="button"
        className="vast-danger"
        onClick={async () => {
          try {
            await forgetKey();
            setConfirming(false);
          } catch (err) {
            setError(asAppError(err).message);
          }
        }}
      >
        Forget it
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Keep it
      </button>
      {error ? <span role="alert">{error}</span> : null}
    </span>
  );
}

function NoKeychainWarning({ warning }: { warning: string | null }) {
  const acceptPlaintext = useVastStore((s) => s.acceptPlaintext);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="banner vast-warning" role="status">
      <div className="vast-warning-row">
        <span>
          {warning ?? 'No OS keychain is available, so the app cannot store secrets.'} The sandbox needs no
          key.
        </span>
        <button
          type="button"
          title="Keys go into a file in the app's data folder that only your user can read"
          onClick={async () => {
            try {
              await acceptPlaintext(true);
            } catch (err) {
              setError(asAppError(err).message);
            }
          }}
        >
          Store keys in a private file
        </button>
      </div>
      {error ? <p role="alert">{error}</p> : null}
    </div>
  );
}
