// A uPlot plugin drawing dashed horizontal lines at given y values: the labels the outputs should reach.

export function labelLinesPlugin(lines) {
  return {
    hooks: {
      drawAxes: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.setLineDash([6 * devicePixelRatio, 5 * devicePixelRatio]);
          for (const line of lines) {
            const y = Math.round(u.valToPos(line.value, 'y', true));
            ctx.strokeStyle = line.color;
            ctx.beginPath();
            ctx.moveTo(bbox.left, y);
            ctx.lineTo(bbox.left + bbox.width, y);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
    },
  };
}
