import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggestion } from '../../generators/shared/did-you-mean.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['platfrom', 'platform', 1], // a swap of neighbours counts 1
    ['gpc', 'gcp', 1],
    ['kanico', 'kaniko', 1],
    ['registy', 'registry', 1],
    ['ca', 'abc', 3], // optimal string alignment: no edit of a swapped pair
  ])('%j -> %j = %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('didYouMean', () => {
  const FLAGS = ['--platform', '--registry', '--python', '--project-name', '--gitlab-project', '--gitlab-push', '--no-git'];
  it.each([
    ['--platfrom', FLAGS, '--platform'],
    ['--registy', FLAGS, '--registry'],
    ['--gitlab-projet', FLAGS, '--gitlab-project'],
    ['--no-gti', FLAGS, '--no-git'],
    ['--PYTHON', FLAGS, '--python'], // case aside
    ['--frobnicate', FLAGS, undefined], // nothing near
    ['gpc', ['onprem', 'gcp'], 'gcp'],
    ['aws', ['onprem', 'gcp'], undefined],
    ['3.10', ['3.11', '3.12', '3.13'], undefined], // a tie: no guess
    ['3.2', ['3.11', '3.12', '3.13'], '3.12'],
    ['ab', ['abcd'], undefined], // 2 edits is too far for a short word
    ['gitlab-url', ['gitlab-url'], undefined], // the word itself is not a suggestion
  ])('%j', (word, candidates, expected) => {
    expect(didYouMean(word, candidates)).toBe(expected);
  });

  it('suggestion() is the text for an error line', () => {
    expect(suggestion('kanico', ['kaniko', 'buildah'])).toBe(' (did you mean kaniko?)');
    expect(suggestion('docker', ['kaniko', 'buildah'])).toBe('');
  });
});
