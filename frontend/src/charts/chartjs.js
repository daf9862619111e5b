// Chart.js with only the parts the trend charts use; loaded on demand (it is the largest
// piece of the app, and only the charts need it).
import {
  Chart, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip,
} from 'chart.js';

Chart.register(LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip);

export { Chart };
