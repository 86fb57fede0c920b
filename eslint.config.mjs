import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', '.local', '.nx', 'tmp', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Apps use libs; libs never use apps; services never import each other; only the messaging
      // library touches Kafka's client.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:platform',
                'type:messaging',
                'type:jobs',
                'type:engine',
                'type:auth',
                'type:testing', // in tests only
              ],
            },
            {
              sourceTag: 'type:messaging',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:testing'],
            },
            { sourceTag: 'type:jobs', onlyDependOnLibsWithTags: ['type:platform', 'type:testing'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:auth', onlyDependOnLibsWithTags: ['type:platform', 'type:testing'] },
            // The tariff engine is pure: no Nest, no I/O, no other library.
            { sourceTag: 'type:engine', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kafkajs',
              message: 'Use @guichet/messaging: it is the only code that touches the Kafka client.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/messaging/**/*.ts', 'libs/testing/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  prettier,
);
