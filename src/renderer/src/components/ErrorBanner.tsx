/**
 * An error the user has to see: announced to screen readers (role="alert") and styled as the
 * house's error banner. Renders nothing while there is no message, so a view can always mount it.
 */
export function ErrorBanner({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="banner banner-error" role="alert">
      {message}
    </div>
  );
}
