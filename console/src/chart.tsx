import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use, type ECharts, type EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

// ECharts with only what the reports draw: line, bar and pie on a canvas, with axes,
// legend and tooltips. Loaded with the screens that chart (not with the shell).
use([LineChart, BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, DatasetComponent, CanvasRenderer]);

/** One chart in a box of fixed height (no layout shift while it loads); redrawn when `option` changes. */
export function Chart({ option, label, height = 260 }: { option: EChartsCoreOption; label: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts>();
  useEffect(() => {
    const el = box.current!;
    chart.current = init(el, undefined, { renderer: 'canvas' });
    const resize = new ResizeObserver(() => chart.current?.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ animation: false, ...option }, true);
  }, [option]);
  return <div class="chart" ref={box} role="img" aria-label={label} data-chart={label} style={`height:${height}px`} />;
}
