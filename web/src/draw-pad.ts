/**
 * A drawing pad: black strokes on white, like Omniglot, drawn with pointer events (mouse, finger,
 * pen), or an image file chosen with its file input or dropped on it. Its example is the file
 * itself when one was given and not drawn over (sent as is), else the canvas as a PNG.
 */
import { el } from './dom.ts';

const SIZE = 210; // canvas pixels (Omniglot's drawings are 105 × 105)
const STROKE = 7;
const ACCEPT = 'image/png,image/jpeg,image/webp';

export interface DrawPadOptions {
  /** Names the pad and its controls for assistive technology, e.g. "class 1" or "query". */
  readonly name: string;
  /** After a stroke ends, a file is shown, or the pad is cleared. */
  readonly onChange?: (pad: DrawPad) => void;
  /** A file that is not an image this browser can decode. */
  readonly onError?: (message: string) => void;
}

export class DrawPad {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly fileInput: HTMLInputElement;
  private readonly context: CanvasRenderingContext2D;
  private file: Blob | null = null;
  private drawn = false;
  /** What the example came from: a file name, or "drawing". */
  source = '';

  constructor(private readonly options: DrawPadOptions) {
    this.canvas = el('canvas', {
      width: SIZE,
      height: SIZE,
      class: 'pad',
      role: 'img',
      'aria-label': `Drawing pad for ${options.name}: draw with a mouse, finger or pen, or drop an image file`,
    });
    this.fileInput = el('input', { type: 'file', accept: ACCEPT, 'aria-label': `Image file for ${options.name}` });
    const clear = el('button', { type: 'button', 'aria-label': `Clear ${options.name}` }, 'Clear');
    this.element = el('div', { class: 'draw-pad' }, this.canvas, el('div', { class: 'pad-controls' }, this.fileInput, clear));
    const context = this.canvas.getContext('2d');
    if (!context) throw new Error('this browser has no 2D canvas');
    this.context = context;
    this.reset();
    clear.addEventListener('click', () => this.clear());
    this.fileInput.addEventListener('change', () => {
      const chosen = this.fileInput.files?.[0];
      if (chosen) void this.load(chosen);
    });
    this.listenForStrokes();
    this.listenForDrops();
  }

  isEmpty(): boolean {
    return !this.file && !this.drawn;
  }

  clear(): void {
    this.reset();
    this.fileInput.value = '';
    this.options.onChange?.(this);
  }

  /** Shows an image file on the pad; it becomes the example, unchanged, until drawn over. */
  async showFile(file: File): Promise<void> {
    const bitmap = await createImageBitmap(file);
    this.reset();
    const scale = Math.min(SIZE / bitmap.width, SIZE / bitmap.height);
    const width = bitmap.width * scale;
    const height = bitmap.height * scale;
    this.context.drawImage(bitmap, (SIZE - width) / 2, (SIZE - height) / 2, width, height);
    bitmap.close();
    this.file = file;
    this.source = file.name;
    this.options.onChange?.(this);
  }

  private async load(file: File): Promise<void> {
    try {
      await this.showFile(file);
    } catch {
      this.options.onError?.(`${file.name} is not an image this browser can read (PNG, JPEG or WebP)`);
    }
  }

  /** The example to send: the file as given, or the canvas as PNG. */
  toBlob(): Promise<Blob> {
    if (this.file && !this.drawn) return Promise.resolve(this.file);
    return new Promise((resolve, reject) =>
      this.canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas could not be exported as PNG'))), 'image/png'),
    );
  }

  private reset(): void {
    this.context.fillStyle = '#fff';
    this.context.fillRect(0, 0, SIZE, SIZE);
    this.context.strokeStyle = '#000';
    this.context.fillStyle = '#000';
    this.context.lineWidth = STROKE;
    this.context.lineCap = 'round';
    this.context.lineJoin = 'round';
    this.file = null;
    this.drawn = false;
    this.source = '';
  }

  private point(event: PointerEvent): [number, number] {
    const box = this.canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * SIZE, ((event.clientY - box.top) / box.height) * SIZE];
  }

  private listenForStrokes(): void {
    let last: [number, number] | null = null;
    this.canvas.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      this.canvas.setPointerCapture(event.pointerId);
      last = this.point(event);
      this.context.beginPath();
      this.context.arc(last[0], last[1], STROKE / 2, 0, 2 * Math.PI);
      this.context.fill();
      if (!this.drawn) this.source = this.file ? `${this.source}, drawn over` : 'drawing';
      this.drawn = true;
    });
    this.canvas.addEventListener('pointermove', (event) => {
      if (!last) return;
      const next = this.point(event);
      this.context.beginPath();
      this.context.moveTo(last[0], last[1]);
      this.context.lineTo(next[0], next[1]);
      this.context.stroke();
      last = next;
    });
    const end = () => {
      if (!last) return;
      last = null;
      this.options.onChange?.(this);
    };
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointercancel', end);
  }

  private listenForDrops(): void {
    this.element.addEventListener('dragover', (event) => {
      event.preventDefault();
      this.element.classList.add('dropping');
    });
    this.element.addEventListener('dragleave', () => this.element.classList.remove('dropping'));
    this.element.addEventListener('drop', (event) => {
      event.preventDefault();
      this.element.classList.remove('dropping');
      const dropped = event.dataTransfer?.files[0];
      if (dropped) void this.load(dropped);
    });
  }
}
