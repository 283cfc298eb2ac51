/** Small pieces every page uses: an error line, and the busy/error state of a user action. */
import { useState } from "preact/hooks";
import { errorText } from "./api";

/** Announced by screen readers as soon as it appears. */
export function Alert({ error }: { error: string | null | undefined }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

/** One action at a time: what it is doing (for the button's label), and how it failed. */
export function useAction<Step extends string>() {
  const [busy, setBusy] = useState<Step | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (step: Step, work: () => Promise<void>) => {
    setBusy(step);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, run, setError };
}
