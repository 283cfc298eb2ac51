/** Previous / Next over a paged list, with where we are in it. */
export function Pager(props: {
  offset: number;
  size: number;
  total: number;
  go: (offset: number) => void;
}) {
  const { offset, size, total, go } = props;
  return (
    <div class="pager">
      <button type="button" disabled={offset === 0} onClick={() => go(Math.max(0, offset - size))}>
        Previous
      </button>
      <span class="muted">
        {total === 0 ? 0 : offset + 1}–{Math.min(offset + size, total)} of {total}
      </span>
      <button type="button" disabled={offset + size >= total} onClick={() => go(offset + size)}>
        Next
      </button>
    </div>
  );
}
