using System.Buffers;
using System.Globalization;

namespace Analytics.Core.Pseudonymisation;

// One walk over a text's words, shared by the name, place and address recognisers.
public sealed partial class TextScrubber
{
    /// <summary>
    /// A word of the text: a run of letters and non-spacing marks (<see cref="Gazetteer.IsWordChar"/>), with
    /// <see cref="NonAscii"/> set when it holds a character outside ASCII and <see cref="HasMark"/> when it holds a
    /// non-spacing mark (then its letters alone, as the name and address recognisers read words, are found again
    /// inside it).
    /// </summary>
    private readonly record struct Word(int Start, int End, bool NonAscii, bool HasMark)
    {
        public int Length => End - Start;
    }

    /// <summary>
    /// The words of one text, and their ASCII letters lower-cased once (for an ASCII word its slice is the word's
    /// lookup key). Both arrays are pooled; the lower-cased copy holds the text's identifiers and is cleared on return.
    /// </summary>
    private readonly struct WordPass : IDisposable
    {
        private readonly char[] _lower;
        private readonly Word[] _words;
        private readonly int _length;

        public WordPass(string text)
        {
            _lower = ArrayPool<char>.Shared.Rent(Math.Max(text.Length, 1));
            // A word is followed by at least one character that is not part of it.
            _words = ArrayPool<Word>.Shared.Rent(text.Length / 2 + 1);
            _length = text.Length;
            var n = 0;
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (c < 128 ? !char.IsAsciiLetter(c) : !Gazetteer.IsWordChar(c))
                {
                    i++;
                    continue;
                }
                var start = i;
                var nonAscii = false;
                var hasMark = false;
                while (i < text.Length)
                {
                    c = text[i];
                    if (c < 128)
                    {
                        if (!char.IsAsciiLetter(c)) break;
                        // Lower-cased as it is read; only ASCII words are looked up by this copy.
                        _lower[i] = (char)(c | 0x20);
                    }
                    else if (char.IsLetter(c))
                    {
                        nonAscii = true;
                    }
                    else if (char.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
                    {
                        nonAscii = true;
                        hasMark = true;
                    }
                    else
                    {
                        break;
                    }
                    i++;
                }
                _words[n++] = new Word(start, i, nonAscii, hasMark);
            }
            Count = n;
        }

        public int Count { get; }

        public ReadOnlySpan<Word> Words => _words.AsSpan(0, Count);

        /// <summary>The lower-cased letters of [start, end), an ASCII word (other characters are not written).</summary>
        public ReadOnlySpan<char> Lower(int start, int end) => _lower.AsSpan(start, end - start);

        public void Dispose()
        {
            // Only the text's length was written (a pooled array is often longer).
            _lower.AsSpan(0, _length).Clear();
            ArrayPool<char>.Shared.Return(_lower);
            ArrayPool<Word>.Shared.Return(_words);
        }
    }
}
