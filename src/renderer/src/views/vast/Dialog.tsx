import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the platform's <dialog>: focus moves inside and stays there, Escape closes it,
 * and the page behind cannot be clicked by mistake (these dialogs spend money or destroy things).
 */
export function Dialog({
  title,
  onClose,
  children,
  wide = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      dialog.showModal();
      // showModal focuses the first focusable element (the close button); a field is the better start.
      dialog.querySelector<HTMLElement>('input, select, textarea')?.focus();
    }
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'vast-dialog vast-dialog-wide' : 'vast-dialog'}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="vast-dialog-header">
        <h2>{title}</h2>
        <button type="button" className="vast-icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {children}
    </dialog>
  );
}
