/**
 * A time-series chart drawn by uPlot (small, canvas, no dependencies), loaded
 * as its own chunk when a chart first shows. The box has a fixed height
 * before and after the library arrives, so nothing below it moves. The
 * canvas says nothing to a screen reader: `label` sums the chart up.
 */
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";

export interface Line {
  label: string;
  stroke: string;
  bars?: boolean;
  dash?: number[];
  /** Cumulative counts step up; rates are bars. */
  stepped?: boolean;
}

const HEIGHT = 180;

export function TimeChart(props: {
  label: string;
  /** Shown instead of the chart while there is no data. */
  empty: string;
  lines: Line[];
  data: uPlot.AlignedData;
  yLabel: string;
}) {
  return (
    <div role="img" aria-label={props.label}>
      {props.data[0].length === 0 ? (
        <p class="muted chart">{props.empty}</p>
      ) : (
        <Plot lines={props.lines} data={props.data} yLabel={props.yLabel} />
      )}
    </div>
  );
}

function Plot(props: { lines: Line[]; data: uPlot.AlignedData; yLabel: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = props.lines.map((l) => l.label).join("|");

  useEffect(() => {
    let gone = false;
    const el = box.current;
    if (!el) return;
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: el.clientWidth, height: HEIGHT }),
    );
    import("uplot").then(({ default: UPlot }) => {
      if (gone) return;
      const series: uPlot.Series[] = [
        {},
        ...props.lines.map((l) => ({
          label: l.label,
          stroke: l.stroke,
          width: l.bars ? 0 : 2,
          dash: l.dash,
          fill: l.bars ? l.stroke : undefined,
          paths: l.bars
            ? UPlot.paths.bars?.({ size: [0.9, 12] })
            : l.stepped
              ? UPlot.paths.stepped?.({ align: 1 })
              : undefined,
          points: { show: false },
        })),
      ];
      plot.current = new UPlot(
        {
          width: el.clientWidth,
          height: HEIGHT,
          series,
          axes: [{}, { label: props.yLabel, size: 50 }],
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
          cursor: { drag: { x: false, y: false } },
        },
        props.data,
        el,
      );
      resize.observe(el);
    });
    return () => {
      gone = true;
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [key]);

  useEffect(() => plot.current?.setData(props.data), [props.data]);

  return <div ref={box} class="chart" />;
}
