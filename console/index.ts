/** The console's entry: defines <console-app>; the rest loads behind it. */
import './console-app.ts';
